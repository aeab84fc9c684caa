"""The incident card and the thread reply for a later alert: pure Block Kit from the models.

Everything an alert carries may be attacker-controlled (a user agent, an event's
fields, a user name), so every value goes through `bot.slack.format`: secrets
redacted, control characters removed, `&<>` escaped, backticks neutralised, lengths
capped; mrkdwn objects are `verbatim` so Slack does not auto-link or auto-mention.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.keys import key_kind
from bot.models import (
    Alert,
    AlertContext,
    AlertKind,
    BlastRadius,
    Incident,
    IncidentStatus,
    KeyKind,
    KeyReport,
    Severity,
    TimelineEvent,
)
from bot.slack.blocks import Block, context, mrkdwn, section
from bot.slack.format import (
    age_days,
    clean,
    code,
    code_block,
    link,
    local_time,
    plain,
)
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.owner_blocks import owner_context

SEVERITY_EMOJI = {
    Severity.LOW: "🔵",
    Severity.MEDIUM: "🟡",
    Severity.HIGH: "🟠",
    Severity.CRITICAL: "🔴",
}
KIND_LABEL = {
    AlertKind.CLOUDTRAIL_API_CALL: "EventBridge · CloudTrail API call",
    AlertKind.CLOUDWATCH_ALARM: "CloudWatch alarm",
    AlertKind.GUARDDUTY: "GuardDuty finding",
    AlertKind.HEALTH: "AWS Health event",
    AlertKind.CLOUDTRAIL_RECORD: "CloudTrail record",
    AlertKind.UNRECOGNISED: "Unrecognised alert",
}
STATUS_LABEL = {
    IncidentStatus.OPEN: "🔔 Open",
    IncidentStatus.ACKNOWLEDGED: "👀 Acknowledged",
    IncidentStatus.FALSE_POSITIVE: "🚫 False positive",
    IncidentStatus.CLOSED: "✅ Closed",
}
DETAIL_LABEL = {"exposed_url": "Exposed at", "case_id": "AWS Support case"}
IMPORTANT_DETAILS = ("description", "sequence", "exposed_url", "case_id", "reason", "error_message")
REFERENCE_SUFFIXES = ("_id", "_arn", "detail_type")
QUARANTINE_PREFIX = "AWSCompromisedKeyQuarantine"
MAX_EVENTS = 5
MAX_DETAILS = 8
MAX_NOTES = 5
RAW_PREVIEW = 1200
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000


# -- building blocks ---------------------------------------------------------------------------


def _section(text: str) -> Block:
    return section(text, verbatim=True)


def _fields(pairs: list[tuple[str, str]]) -> Block:
    fields = [
        mrkdwn(f"*{label}*\n{value}", FIELD_LIMIT, verbatim=True) for label, value in pairs[:10]
    ]
    return {"type": "section", "fields": fields}


def _context(parts: list[str]) -> Block:
    return context(*parts, verbatim=True)


def severity_label(severity: Severity) -> str:
    return f"{SEVERITY_EMOJI[severity]} {severity.value.capitalize()}"


def _event(source: str, name: str) -> str:
    """`iam:ListUsers`, the way responders write API calls."""
    service = source.removesuffix(".amazonaws.com")
    return code(f"{service}:{name}" if service and name else name or service, 120)


# -- what, whose, where ------------------------------------------------------------------------


def _what(alert: Alert) -> str:
    parts = [_shown(alert.rule or alert.title)]
    if alert.event_name:
        parts.append(_event(alert.event_source, alert.event_name))
    if alert.error_code:
        parts.append(f"→ {code(alert.error_code, 80)}")
    return " ".join(parts)


def _key(key: str) -> str:
    if not key:
        return "— no access key in this alert"
    if key_kind(key) is KeyKind.TEMPORARY:
        return f"{code(key)} temporary STS (ASIA): cannot be deactivated, revoke its sessions"
    return f"{code(key)} long-term (AKIA)"


def _whose(alert: Alert, report: KeyReport | None, account: str) -> str:
    if report is not None and report.user_name:
        who = f"IAM user {code(report.user_name)}"
    elif report is not None and report.role_arn:
        who = f"role {code(report.role_arn)}"
        if report.session_name:
            who += f" session {code(report.session_name)}"
    elif alert.principal_type == "Root":
        who = "⚠️ *root user*"
    elif alert.user_name or alert.principal_arn:
        kind = clean(alert.principal_type or "principal", 40)
        who = f"{kind} {code(alert.user_name or alert.principal_arn)}"
    else:
        who = "unknown"
    return f"{who}\naccount {code(account)}" if account else who


def _key_status(report: KeyReport | None, now: datetime) -> str:
    if report is None:
        return "not looked up"
    if report.error:
        return f"⚠️ lookup failed: {clean(report.error, 300)}"
    status = clean(report.status or "unknown", 40)
    if report.status == "Active":
        status = f"🟢 {status}"
    elif report.status == "Inactive":
        status = f"⚪ {status}"
    if report.created is not None:
        status += f" · {age_days(report.created, now)} days old"
    marks = [("deny-all attached", report.deny_all_attached)]
    marks.append(("sessions revoked", report.revoke_attached))
    marks.append(("⚠️ AdministratorAccess", report.admin_attached))
    extra = [label for label, present in marks if present]
    return status + (f"\n{' · '.join(extra)}" if extra else "")


def _last_used(report: KeyReport | None) -> str:
    if report is None or report.error:
        return "unknown"
    if report.last_used_at is None:
        return "never (or not recorded)"
    where = [clean(part, 60) for part in (report.last_used_service, report.last_used_region)]
    return " · ".join([local_time(report.last_used_at), *[w for w in where if w]])


def _from_where(alert: Alert, context: AlertContext) -> str:
    if not alert.source_ip:
        return "—"
    verdict = {
        True: "✅ inside known networks",
        False: "⚠️ *outside known networks*",
        None: "❔ not checked (no known networks set)",
    }[context.ip_known]
    text = f"{code(alert.source_ip, 60)} {verdict}"
    return text + (f"\n{clean(context.ip_location, 120)}" if context.ip_location else "")


def _region(alert: Alert, context: AlertContext) -> str:
    if not alert.region:
        return "—"
    verdict = {True: "✅ approved", False: "⚠️ *not approved*", None: ""}[context.region_approved]
    return f"{code(alert.region, 40)} {verdict}".rstrip()


def _quarantine(report: KeyReport | None) -> str:
    if report is None or report.error:
        return "unknown"
    if not report.quarantine_attached:
        return "not attached"
    names = [p for p in report.attached_policies if p.startswith(QUARANTINE_PREFIX)]
    shown = ", ".join(code(name, 60) for name in names) or code(QUARANTINE_PREFIX + "V2/V3")
    return f"⚠️ *attached* by AWS ({shown}): AWS believes this key is exposed"


def _examples(actions: list[str], shown: int = 3) -> str:
    listed = ", ".join(code(action, 60) for action in actions[:shown])
    more = f" and {len(actions) - shown} more" if len(actions) > shown else ""
    return f"{listed}{more}"


def blast_line(blast: BlastRadius) -> str:
    """What the key's principal may do, in one line: the risk classes it reaches."""
    if blast.error:
        return f"⚠️ not assessed: {clean(blast.error, 300)}"
    parts = ["⚠️ *admin-equivalent*"] if blast.admin_equivalent else []
    if blast.privilege_escalation:
        count = len(blast.privilege_escalation)
        parts.append(f"*privilege escalation* ({count} path{'s' if count > 1 else ''})")
    for label, actions in (
        ("*data exfiltration*", blast.data_exfiltration),
        ("*resource exposure*", blast.resource_exposure),
        ("*credentials exposure*", blast.credentials_exposure),
    ):
        if actions:
            parts.append(f"{label} ({_examples(actions)})")
    if blast.infrastructure_modification:
        parts.append(f"infrastructure changes ({len(blast.infrastructure_modification)} actions)")
    return " · ".join(parts) or "✅ nothing risky in its policies"


def blast_section(blast: BlastRadius | None) -> list[Block]:
    """The blast radius and, in small print, the paths and policies it was read from."""
    if blast is None:
        return []
    blocks = [_section(f"*What it can do* {blast_line(blast)}")]
    details = []
    if blast.privilege_escalation:
        paths = ", ".join(code(path, 60) for path in blast.privilege_escalation[:8])
        details.append(f"Escalation paths: {paths}")
    if blast.policies:
        names = ", ".join(clean(name, 80) for name in blast.policies[:8])
        more = f" and {len(blast.policies) - 8} more" if len(blast.policies) > 8 else ""
        details.append(f"From {names}{more}")
    return blocks + ([_context(details)] if details else [])


# -- sections shared by the card and the thread reply ----------------------------------------


def _events_section(alert: Alert) -> list[Block]:
    """The log events behind an alarm (or any alert carrying several); one event is the card."""
    alarm = alert.kind is AlertKind.CLOUDWATCH_ALARM
    if not alert.events or (not alarm and len(alert.events) < 2):
        return []
    shown = alert.events[:MAX_EVENTS]
    heading = "Events that tripped the alarm" if alarm else "Events in this alert"
    lines = [f"*{heading}* ({len(shown)} of {len(alert.events)})"]
    lines += [_event_line(event) for event in shown]
    return [_section("\n".join(lines))]


def _event_line(event: TimelineEvent) -> str:
    parts = [
        f"• {local_time(event.time, date=False)}",
        _event(event.event_source, event.event_name),
    ]
    if event.access_key_id:
        parts.append(f"key {code(event.access_key_id, 40)}")
    if event.source_ip:
        parts.append(f"from {code(event.source_ip, 60)}")
    if event.error_code:
        parts.append(f"→ {code(event.error_code, 80)}")
    return " ".join(parts)


def _is_identifier(value: str) -> bool:
    return not any(c.isspace() for c in value)


def _shown(value: str, limit: int = 300) -> str:
    """Identifiers in code spans, prose as (escaped) text."""
    return code(value, limit) if _is_identifier(value) else clean(value, limit * 2)


def _is_reference(name: str) -> bool:
    return name not in IMPORTANT_DETAILS and name.endswith(REFERENCE_SUFFIXES)


def _details_section(alert: Alert) -> list[Block]:
    """What the parser kept beyond the common fields: the telling ones first, ids in small print."""
    items = [(k, v) for k, v in alert.details.items() if v]
    items.sort(
        key=lambda item: (
            IMPORTANT_DETAILS.index(item[0])
            if item[0] in IMPORTANT_DETAILS
            else len(IMPORTANT_DETAILS)
        )
    )
    telling = [(k, v) for k, v in items if not _is_reference(k)]
    lines = [_detail_line(name, value) for name, value in telling[:MAX_DETAILS]]
    if len(telling) > MAX_DETAILS:
        lines.append(f"_…and {len(telling) - MAX_DETAILS} more in the raw alert_")
    references = [f"{_label(k)} {code(v, 120)}" for k, v in items if _is_reference(k)]
    blocks = [_section("\n".join(lines))] if lines else []
    return blocks + ([_context([" · ".join(references)])] if references else [])


def _label(name: str) -> str:
    return clean(DETAIL_LABEL.get(name) or name.replace("_", " ").capitalize(), 60)


def _detail_line(name: str, value: str) -> str:
    shown = link(value) if name == "exposed_url" else _shown(value)
    return f"*{_label(name)}:* {shown}"


def _raw_section(alert: Alert) -> list[Block]:
    if alert.kind is not AlertKind.UNRECOGNISED:
        return []
    intro = (
        "*Unrecognised alert*: keycheck does not know this message's shape. It was stored, "
        "not dropped; the full JSON is attached in the thread. Its start:"
    )
    return [_section(f"{intro}\n{code_block(alert.raw or '(empty)', RAW_PREVIEW)}")]


def _notes(alert: Alert, context: AlertContext) -> list[Block]:
    notes = [f"📝 {clean(note, 400)}" for note in context.notes[:MAX_NOTES]]
    if alert.user_agent:
        notes.insert(0, f"User agent {code(alert.user_agent, 300)}")
    return [_context(notes)] if notes else []


# -- the card ------------------------------------------------------------------------------------


def card_counter(incident: Incident) -> str:
    """`37 alerts, last 12:14:05 UTC`; the date too when the incident spans days."""
    count = max(1, incident.alert_count)
    spans_days = incident.first_seen.date() != incident.last_seen.date()
    last = local_time(incident.last_seen, date=spans_days, ago=True)
    return f"1 alert, at {last}" if count == 1 else f"{count} alerts, last {last}"


def _button(action: ActionId, label: str, value: str, style: str = "") -> Block:
    button: Block = {
        "type": "button",
        "action_id": action.value,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def still_open(key: str, report: KeyReport | None) -> list[ActionId]:
    """The containment steps the key's state (as last read from IAM) still lacks, in order.

    Without a report (not looked up, or the lookup failed) nothing is known to be done,
    so every step is offered. Revoking sessions again is always possible: it moves the
    cut-off to now, for sessions minted after the last revoke.
    """
    known = report is not None and not report.error
    steps: list[ActionId] = []
    if key_kind(key) is KeyKind.LONG_TERM and not (
        known and report and report.status == "Inactive"
    ):
        steps.append(ActionId.DEACTIVATE_KEY)
    steps.append(ActionId.REVOKE_SESSIONS)
    if not (known and report and report.deny_all_attached):
        steps.append(ActionId.ATTACH_DENY_ALL)
    return steps


def contained(key: str, report: KeyReport | None) -> bool:
    """Every step done: the key refused, its principal denied, its sessions cut off."""
    revoked = report is not None and not report.error and report.revoke_attached
    return revoked and still_open(key, report) == [ActionId.REVOKE_SESSIONS]


BUTTON_LABEL = {
    ActionId.DEACTIVATE_KEY: "Deactivate key",
    ActionId.REVOKE_SESSIONS: "Revoke sessions",
    ActionId.ATTACH_DENY_ALL: "Attach deny-all",
}


def _containment(key: str, value: str, report: KeyReport | None) -> list[Block]:
    """What containment is left, Contain all first and the only red one; once contained,
    the check that it holds."""
    if contained(key, report):
        return [_button(ActionId.VERIFY, "Verify containment", value, "primary")]
    steps = [_button(step, BUTTON_LABEL[step], value) for step in still_open(key, report)]
    return [_button(ActionId.CONTAIN_ALL, "Contain all", value, "danger"), *steps]


def _triage(incident: Incident, key: str, value: str) -> list[Block]:
    buttons = [_button(ActionId.TIMELINE, "CloudTrail timeline", value)] if key else []
    buttons.append(_button(ActionId.OPEN_CASE, "Open case", value))
    buttons.append(_button(ActionId.REPORT, "Report", value))
    if key and not incident.incident_channel:
        buttons.append(_button(ActionId.DECLARE_INCIDENT, "Declare incident", value))
    if incident.status is not IncidentStatus.OPEN:
        return [*buttons, _button(ActionId.REOPEN, "Reopen", value)]
    buttons.append(_button(ActionId.ACKNOWLEDGE, "Acknowledge", value, "primary"))
    if key:
        buttons.append(_button(ActionId.FALSE_POSITIVE, "False positive", value))
    return buttons


def card_buttons(
    incident: Incident, key: str, account: str, report: KeyReport | None = None
) -> list[Block]:
    """What is left to do (only with a key), then triage; every button carries one small value.

    The buttons follow the key's state: a step IAM shows done is no longer offered (its
    Undo is on the audit line in the thread), and a contained key offers none.
    """
    value = ButtonValue(i=incident.id, k=key, a=account).encode()
    containment = _containment(key, value, report) if key else []
    blocks = [{"type": "actions", "elements": containment}] if containment else []
    return [*blocks, {"type": "actions", "elements": _triage(incident, key, value)}]


def _state_label(incident: Incident, key: str, report: KeyReport | None) -> str:
    """The status row's first word: the incident's status, or that its key is contained."""
    if key and contained(key, report):
        return "🛡️ Contained"
    if key and report is not None and len(still_open(key, report)) < len(still_open(key, None)):
        return f"{STATUS_LABEL[incident.status]} · 🛡️ partly contained"
    return STATUS_LABEL[incident.status]


def _status_line(incident: Incident) -> list[str]:
    parts = [card_counter(incident), f"first seen {local_time(incident.first_seen)}"]
    if incident.snoozed_until is not None:
        parts.append(f"pings paused until {local_time(incident.snoozed_until)}")
    if incident.case_id:
        parts.append(f"AWS Support case {code(incident.case_id, 60)}")
    if incident.incident_channel.isalnum():
        parts.append(f"incident channel <#{incident.incident_channel}>")
    parts.append(f"incident {code(incident.id, 60)}")
    return parts


def _card_fields(
    incident: Incident, alert: Alert, context: AlertContext, account: str, now: datetime
) -> list[tuple[str, str]]:
    """The ten facts a responder reads first; a fact the alert cannot have is left out."""
    report, key = context.key, alert.access_key_id or incident.access_key_id
    pairs = [
        ("What happened", _what(alert)),
        ("When", local_time(alert.occurred_at or alert.received_at)),
        ("Which key", _key(key)),
        ("Whose", _whose(alert, report, account)),
        ("Key status", _key_status(report, now) if key else "—"),
        ("Last used", _last_used(report) if key else "—"),
        ("From", _from_where(alert, context)),
        ("Region", _region(alert, context)),
        ("Severity", severity_label(incident.severity)),
        ("AWS quarantine policy", _quarantine(report) if key else "—"),
    ]
    return [(label, value) for label, value in pairs if value != "—"]


def _fallback(title: str, severity: Severity, key: str, alert: Alert, owner: str) -> str:
    parts = [f"{SEVERITY_EMOJI[severity]} {severity.value.capitalize()}: {clean(title, 150)}"]
    if key:
        parts.append(f"key {clean(key, 30)}" + (f" ({clean(owner, 80)})" if owner else ""))
    if alert.source_ip:
        parts.append(f"from {clean(alert.source_ip, 60)}")
    return " · ".join(parts)


def incident_card(
    incident: Incident, alert: Alert, context: AlertContext, *, now: datetime | None = None
) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for an incident's card; `now` (for key age) defaults to receipt."""
    key = alert.access_key_id or incident.access_key_id
    report = context.key
    account = alert.account_id or incident.account_id or (report.account_id if report else "")
    title = incident.title or alert.title
    if alert.kind is AlertKind.UNRECOGNISED and not title.startswith("Unrecognised"):
        title = f"Unrecognised alert: {title}"
    header = plain(f"{SEVERITY_EMOJI[incident.severity]} {title}", 150)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        _context([_state_label(incident, key, report), clean(KIND_LABEL[alert.kind], 60)]),
        _fields(_card_fields(incident, alert, context, account, now or alert.received_at)),
        *(blast_section(context.blast) if key else []),
        *_details_section(alert),
        *_events_section(alert),
        *_raw_section(alert),
        *_notes(alert, context),
        *owner_context(context.owner),
        _context(_status_line(incident)),
        *card_buttons(incident, key, account, report),
    ]
    owner = (report.user_name or report.role_arn) if report else alert.user_name
    return _fallback(title, incident.severity, key, alert, owner), blocks


def alert_reply(alert: Alert, context: AlertContext) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for a later alert in the incident's thread; no buttons."""
    when = local_time(alert.occurred_at or alert.received_at)
    title = clean(alert.title, 200)
    head = f"{SEVERITY_EMOJI[alert.severity]} *{title}* · {when}"
    pairs = [("What happened", _what(alert)), ("From", _from_where(alert, context))]
    pairs.append(("Region", _region(alert, context)))
    if alert.access_key_id:
        pairs.append(("Which key", _key(alert.access_key_id)))
    blocks: list[Block] = [
        _section(head),
        _fields([(label, value) for label, value in pairs if value != "—"]),
        *_details_section(alert),
        *_events_section(alert),
        *_raw_section(alert),
        *_notes(alert, context),
    ]
    text = f"{SEVERITY_EMOJI[alert.severity]} {title}"
    if alert.source_ip:
        text += f" from {clean(alert.source_ip, 60)}"
    return text, blocks
