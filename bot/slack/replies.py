"""Replies in Slack: the /keycheck key report, audit lines with Undo, approvals, cases, triage."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.domain.keys import key_kind
from bot.domain.policies import ADMIN, DENY_ALL, QUARANTINE, REVOKE_SESSIONS
from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionRecord,
    ActionState,
    CaseOutcome,
    CaseStatus,
    Incident,
    IncidentStatus,
    KeyKind,
    KeyReport,
    OutcomeStatus,
    Verification,
    utcnow,
)
from bot.slack.blocks import Message, context, section
from bot.slack.cards import card_buttons
from bot.slack.fallback import outcome_text
from bot.slack.format import age_days, clean, code, code_block, escape, fit, local_time, plain
from bot.slack.ids import ActionId, ButtonValue

A = ActionKind
SLACK_USER = re.compile(r"\A[UW][A-Z0-9]{2,20}\Z")

PAST = {
    A.DEACTIVATE_KEY: "deactivated",
    A.REACTIVATE_KEY: "reactivated",
    A.ATTACH_DENY_ALL: "attached deny-all to",
    A.REMOVE_DENY_ALL: "removed deny-all from",
    A.REVOKE_SESSIONS: "revoked the earlier sessions of",
    A.REMOVE_REVOKE: "lifted the session revocation on",
    A.CONTAIN_ALL: "contained",
    A.DISABLE_CONSOLE_LOGIN: "deleted the console password of",
    A.CONTAIN_FOOTPRINT: "contained what was left behind by",
}
ASKED = {
    A.DEACTIVATE_KEY: "deactivate",
    A.ATTACH_DENY_ALL: "attach deny-all to",
    A.REVOKE_SESSIONS: "revoke the earlier sessions of",
    A.CONTAIN_ALL: "contain",
    A.DISABLE_CONSOLE_LOGIN: "delete the console password of",
}
MULTI_STEP = (A.CONTAIN_ALL, A.CONTAIN_FOOTPRINT)
UNDO_LABEL = {
    A.DEACTIVATE_KEY: "Reactivate",
    A.ATTACH_DENY_ALL: "Remove deny-all",
    A.REVOKE_SESSIONS: "Remove revocation",
    A.CONTAIN_ALL: "Undo all",
    A.CONTAIN_FOOTPRINT: "Undo all",
}


def who(actor: str) -> str:
    """A Slack user as a mention; the CLI's `cli:name` and auto-containment as code."""
    return f"<@{actor}>" if SLACK_USER.match(actor) else code(actor, 60)


def _button(
    label: str,
    action: ActionId,
    value: ButtonValue,
    *,
    style: str = "",
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(label, 75), "emoji": True},
        "action_id": action.value,
        "value": value.encode(),
    }
    if style:
        button["style"] = style
    if confirm:
        button["confirm"] = confirm
    return button


def _actions(block_id: str, *buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id[:255], "elements": list(buttons)}


# -- the /keycheck report -------------------------------------------------------------------


def report_buttons(report: KeyReport, incident: Incident | None) -> list[dict[str, Any]]:
    """The card's buttons; without an incident, its containment ones and the timeline."""
    key, account = report.access_key_id, report.account_id
    if incident is not None:
        return card_buttons(incident, key, account)
    value = ButtonValue(k=key, a=account)
    if report.kind is KeyKind.TEMPORARY:
        first = [_button("Revoke sessions", ActionId.REVOKE_SESSIONS, value, style="danger")]
    else:
        first = [
            _button("Deactivate key", ActionId.DEACTIVATE_KEY, value, style="danger"),
            _button("Revoke sessions", ActionId.REVOKE_SESSIONS, value),
        ]
    return [
        _actions(
            "kc_actions",
            *first,
            _button("Attach deny-all", ActionId.ATTACH_DENY_ALL, value, style="danger"),
            _button("Contain all", ActionId.CONTAIN_ALL, value, style="danger"),
            _button("CloudTrail timeline", ActionId.TIMELINE, value),
        )
    ]


def _owner(report: KeyReport) -> str:
    if report.role_arn:
        session = f" (session {code(report.session_name, 80)})" if report.session_name else ""
        return f"role {code(report.role_arn, 200)}{session}"
    if report.user_name:
        return f"IAM user {code(report.user_name, 80)}"
    return "unknown"


def _last_used(report: KeyReport) -> str:
    if report.last_used_at is None:
        return "never (or not known)"
    where = " · ".join(
        clean(p, 60) for p in (report.last_used_service, report.last_used_region) if p
    )
    return f"{local_time(report.last_used_at)}" + (f" · {where}" if where else "")


def _created(report: KeyReport, now: datetime) -> str:
    if report.created is None:
        return "—"
    return f"{local_time(report.created)} ({age_days(report.created, now)} days ago)"


def _flags(report: KeyReport) -> list[str]:
    flags = []
    names = set(report.attached_policies) | set(report.inline_policies)
    if report.admin_attached or ADMIN in names:
        flags.append(
            ":rotating_light: *AdministratorAccess* is attached: this key can do anything."
        )
    quarantine = sorted(names & QUARANTINE)
    if report.quarantine_attached or quarantine:
        shown = ", ".join(code(n) for n in quarantine) or "a quarantine policy"
        flags.append(f":shield: AWS has already attached {shown}.")
    if report.deny_all_attached or DENY_ALL in names:
        flags.append(f":no_entry: {code(DENY_ALL)} is in place: everything is denied.")
    if report.revoke_attached or REVOKE_SESSIONS in names:
        flags.append(
            f":no_entry: {code(REVOKE_SESSIONS)} is in place: earlier sessions are revoked."
        )
    return flags


def _policies(report: KeyReport) -> str:
    attached = ", ".join(code(n, 128) for n in report.attached_policies[:20]) or "none"
    inline = ", ".join(code(n, 128) for n in report.inline_policies[:20]) or "none"
    return f"*Attached policies:* {attached}\n*Inline policies:* {inline}"


def incident_line(incident: Incident, link: str = "") -> str:
    title = escape(plain(incident.title, 150))
    shown = f"<{link}|{title}>" if link.startswith("https://") else title
    return (
        f":rotating_light: Open incident {code(incident.id)}: {shown} · {incident.status.value} · "
        f"{incident.alert_count} alert{'s' if incident.alert_count != 1 else ''}"
    )


def key_report_message(
    report: KeyReport,
    incident: Incident | None = None,
    *,
    incident_link: str = "",
    now: datetime | None = None,
) -> Message:
    """What `/keycheck KEY` posts: who owns the key, its state, what it can do, what is open."""
    now = now or utcnow()
    kind = "temporary (ASIA)" if report.kind is KeyKind.TEMPORARY else "long-term (AKIA)"
    status = report.status or ("—" if report.kind is KeyKind.TEMPORARY else "unknown")
    fields = [
        f"*Account*\n{code(report.account_id)}",
        f"*Owner*\n{_owner(report)}",
        f"*Status*\n{escape(status)}",
        f"*Kind*\n{kind}",
        f"*Created*\n{_created(report, now)}",
        f"*Last used*\n{_last_used(report)}",
    ]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Access key {report.access_key_id}"},
        },
        {"type": "section", "fields": [{"type": "mrkdwn", "text": fit(f, 2000)} for f in fields]},
        section(_policies(report)),
    ]
    flags = _flags(report)
    if flags:
        blocks.append(section("\n".join(flags)))
    others = ", ".join(code(k) for k in report.other_keys) or "none"
    if report.user_name and not report.role_arn:
        blocks.append(context(f"Other keys of {code(report.user_name)}: {others}"))
    if incident is not None:
        blocks.append(section(incident_line(incident, incident_link)))
    blocks += report_buttons(report, incident)
    owner = report.user_name or report.role_arn or "unknown"
    text = f"Access key {report.access_key_id}: {status}, owner {owner}"
    return text, blocks


def lookup_problem(key_id: str, error: str) -> str:
    """The ephemeral when a key cannot be looked up: what went wrong and what to try."""
    return (
        f"Could not look up {code(key_id)}: {escape(error)}\n"
        "Check the id, and that keycheck's responder role is deployed in the key's account. "
        "Type `/keycheck AKIA…` or `/keycheck ASIA…`."
    )


# -- audit lines ------------------------------------------------------------------------------


def _target(record: ActionRecord) -> str:
    principal = str(record.after.get("principal") or record.before.get("principal") or "")
    kind, _, name = principal.partition("/")
    if record.action in (A.DEACTIVATE_KEY, A.REACTIVATE_KEY):
        owner = f" of {kind} {code(name)}" if name else ""
        return f"{code(record.target)}{owner}"
    return f"{kind} {code(name)}" if name else code(record.target)


def _change(record: ActionRecord) -> str:
    """Was → now, from what IAM showed before and after: what is true, not what was asked."""
    before, after = record.before, record.after
    if "status" in after:
        return f"(was {escape(str(before.get('status', '?')))}, now {escape(str(after['status']))})"
    if "policy_name" in after:
        was = "present" if before.get("document") is not None else "absent"
        now = "present" if after.get("document") is not None else "absent"
        return f"({code(str(after['policy_name']))} was {was}, now {now})"
    if "login_profile" in after:
        was = "set" if before.get("login_profile") else "none"
        now = "set" if after["login_profile"] else "none"
        return f"(console password was {was}, now {now}; cannot be undone)"
    return ""


def _tail(record: ActionRecord) -> str:
    parts = []
    if record.reason:
        parts.append(f"“{clean(record.reason, 300)}”")
    if record.approved_by:
        parts.append(f"approved by {who(record.approved_by)}")
    if record.aws_request_id:
        parts.append(f"request {code(record.aws_request_id, 80)}")
    parts.append(f"action {code(record.id)}")
    return " · ".join(parts)


def audit_line(record: ActionRecord) -> str:
    """`✅ @U deactivated AKIA… (was Active, now Inactive) · reason · request id`."""
    verb = PAST.get(record.action, record.action.value)
    if record.state is ActionState.DONE:
        icon = ":leftwards_arrow_with_hook:" if record.undo_of else ":white_check_mark:"
        line = f"{icon} {who(record.actor)} {verb} {_target(record)} {_change(record)}".rstrip()
    else:
        line = (
            f":x: {who(record.actor)} could not {record.action.value} {code(record.target)}: "
            f"{clean(record.error, 400)}"
        )
    return f"{line} · {_tail(record)}"


def undo_button(record: ActionRecord) -> dict[str, Any]:
    label = UNDO_LABEL.get(record.action, "Undo")
    confirm = {
        "title": {"type": "plain_text", "text": "Undo this containment?"},
        "text": {
            "type": "mrkdwn",
            "text": fit(
                f"This puts back what keycheck found before {code(record.id)}: "
                f"{_target(record)} regains what it could do. Only undo a false alarm.",
                300,
            ),
        },
        "confirm": {"type": "plain_text", "text": plain(label, 30)},
        "deny": {"type": "plain_text", "text": "Keep it contained"},
        "style": "danger",
    }
    value = ButtonValue(i=record.incident_id, k=record.target, a=record.account_id, r=record.id)
    return _button(label, ActionId.UNDO, value, confirm=confirm)


def outcome_message(outcome: ActionOutcome) -> Message:
    """The thread's answer to a containment request, approval or undo."""
    record = outcome.record
    if record is None:
        return outcome.message, [section(f":x: {escape(outcome.message)}")]
    if outcome.status is OutcomeStatus.AWAITING_APPROVAL:
        return approval_message(outcome)
    if outcome.status is OutcomeStatus.ALREADY:
        return already_message(record, outcome.message)
    if outcome.status is OutcomeStatus.IN_DOUBT:
        return outcome.message, [section(f":warning: {escape(outcome.message)}")]
    return _result_message(outcome, record)


def _result_message(outcome: ActionOutcome, record: ActionRecord) -> Message:
    blocks: list[dict[str, Any]] = []
    parent = record.action in MULTI_STEP or (record.undo_of and len(outcome.steps) > 1)
    if parent or not outcome.steps:
        blocks.append(section(_parent_line(record, outcome)))
    for step in outcome.steps:
        blocks.append(section(audit_line(step)))
        if step.state is ActionState.DONE and not step.undo_of and step.action in UNDO_LABEL:
            blocks.append(_actions(f"kc_undo_{step.id}", undo_button(step)))
    done = sum(s.state is ActionState.DONE for s in outcome.steps)
    if record.action in MULTI_STEP and not record.undo_of and done > 1:
        blocks.append(_actions(f"kc_undo_all_{record.id}", undo_button(record)))
    return outcome.message, blocks[:50]


def _parent_line(record: ActionRecord, outcome: ActionOutcome) -> str:
    if record.undo_of:
        verb = f"undid {code(record.undo_of)} on"
    else:
        verb = PAST.get(record.action, record.action.value)
    if record.state is ActionState.DONE:
        icon = ":leftwards_arrow_with_hook:" if record.undo_of else ":shield:"
        return f"{icon} {who(record.actor)} {verb} {code(record.target)} · {_tail(record)}"
    error = record.error or outcome.message
    return (
        f":x: {who(record.actor)}: {record.action.value} on {code(record.target)} failed: "
        f"{clean(error, 600)} · {_tail(record)}"
    )


def auto_contained_message(outcomes: list[ActionOutcome]) -> Message:
    """What auto-containment did, step by step with Undo buttons: keycheck was the actor."""
    blocks = [
        section(
            ":robot_face: *Auto-containment*: this alert's type is set to be contained "
            "without waiting for a responder."
        )
    ]
    texts = []
    for outcome in outcomes:
        _, more = outcome_message(outcome)
        texts.append(outcome_text(outcome, {}))
        blocks += more
    return "\n".join(["Auto-containment", *texts]), blocks[:50]


def already_message(record: ActionRecord, message: str) -> Message:
    """`already done by @U at T`: a repeat ran nothing, and says what the first one came to."""
    at = local_time(record.updated_at if record.state is ActionState.DONE else record.requested_at)
    by = f"{who(record.actor)} at {at}"
    phrase = {
        ActionState.DONE: f"already done by {by}",
        ActionState.REQUESTED: f"already in progress, asked by {by}",
        ActionState.AWAITING_APPROVAL: f"already waiting for approval, asked by {by}",
        ActionState.UNDONE: f"already undone (it was asked by {by})",
        ActionState.FAILED: f"already tried by {by}, and it failed",
    }[record.state]
    line = (
        f":ballot_box_with_check: {record.action.value} on {code(record.target)} was {phrase}. "
        "Nothing ran twice."
    )
    return message, [section(line), context(f"action {code(record.id)}")]


def approval_message(outcome: ActionOutcome) -> Message:
    """Four-eyes: the request and its plan, with the Approve button for another responder."""
    record = outcome.record
    assert record is not None
    asked = ASKED.get(record.action, record.action.value)
    if record.undo_of:
        asked = f"undo {code(record.undo_of)} on"
    lines = [
        f":hourglass_flowing_sand: {who(record.actor)} asked to {asked} {code(record.target)} "
        f"· {_tail(record)}",
        "*Waiting for a second responder* to approve; nobody approves their own request.",
    ]
    lines += [f"• {escape(step.summary)}" for step in outcome.plan]
    value = ButtonValue(i=record.incident_id, k=record.target, a=record.account_id, r=record.id)
    approve = _button("Approve", ActionId.APPROVE, value, style="primary")
    return outcome.message, [section("\n".join(lines)), _actions("kc_approve", approve)]


# -- cases, triage, incident channels ------------------------------------------------------------


def case_message(outcome: CaseOutcome, actor: str) -> Message:
    """The case's id and state, or for an account without a support plan, the text to paste."""
    if outcome.status in (CaseStatus.CREATED, CaseStatus.UPDATED):
        done = "opened" if outcome.status is CaseStatus.CREATED else "added to"
        line = (
            f":briefcase: {who(actor)} {done} AWS Support case {code(outcome.case_id)}"
            + (f" (severity {escape(outcome.severity)})" if outcome.severity else "")
            + (f" · request {code(outcome.request_id)}" if outcome.request_id else "")
        )
        return outcome.message, [section(line), context(escape(plain(outcome.subject, 300)))]
    icon = ":information_source:" if outcome.status is CaseStatus.NO_SUPPORT_PLAN else ":x:"
    blocks = [
        section(f"{icon} {escape(outcome.message)}"),
        section(f"*{escape(plain(outcome.subject, 300))}*\n{code_block(outcome.body, 2800)}"),
    ]
    return outcome.message, blocks


def triage_message(incident: Incident, actor: str, note: str = "") -> Message:
    """Acknowledged / false positive / reopened, with until when the thread stays quiet."""
    if incident.status is IncidentStatus.OPEN:
        line = (
            f":arrows_counterclockwise: {who(actor)} reopened this incident: "
            "new alerts ping the thread again."
        )
    else:
        label = (
            "acknowledged"
            if incident.status is IncidentStatus.ACKNOWLEDGED
            else "marked as a false positive"
        )
        quiet = (
            f" The thread stays quiet until {local_time(incident.snoozed_until)}; "
            "new alerts are still counted on the card."
            if incident.snoozed_until
            else " New alerts keep pinging the thread."
        )
        line = f":eyes: {who(actor)} {label} this incident.{quiet}"
    if note:
        line += f"\n“{clean(note, 400)}”"
    blocks = [section(line)]
    if incident.status is not IncidentStatus.OPEN:
        value = ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id)
        blocks.append(_actions("kc_triage", _button("Reopen", ActionId.REOPEN, value)))
    return line, blocks


def declared_message(channel_id: str, actor: str, record: ActionRecord) -> Message:
    """In the alert thread: where the incident is now worked, with the archive (undo) button."""
    line = f":rotating_light: {who(actor)} declared an incident: work it in <#{channel_id}>."
    value = ButtonValue(i=record.incident_id, r=record.id)
    archive = _button("Archive channel", ActionId.UNDO, value)
    return line, [
        section(line),
        context(f"action {code(record.id)}"),
        _actions("kc_declared", archive),
    ]


def incident_summary(
    incident: Incident, card_link: str, actor: str, report: KeyReport | None
) -> Message:
    """Pinned in the incident channel: what, whose, since when, and the way back to the alert."""
    kind = key_kind(incident.access_key_id).value if incident.access_key_id else "—"
    lines = [
        f"*{escape(plain(incident.title, 200))}* · severity {incident.severity.value}"
        f" · {incident.status.value}",
        f"Key {code(incident.access_key_id)} ({kind}) · account {code(incident.account_id)}"
        + (f" · user {code(incident.user_name)}" if incident.user_name else ""),
        f"First seen {local_time(incident.first_seen)}"
        f" · last seen {local_time(incident.last_seen)} · {incident.alert_count} alerts",
        f"Declared by {who(actor)}. The alert thread: "
        + (
            f"<{card_link}|the card in the alerts channel>"
            if card_link.startswith("https://")
            else "—"
        ),
    ]
    if report is not None and not report.error:
        lines.append(f"Key status now: {escape(report.status or '—')}")
    text = f"Incident {incident.id}: {incident.title}"
    return text, [section("\n".join(lines))]


def archived_message(channel_id: str, actor: str, record: ActionRecord) -> Message:
    line = f":file_cabinet: {who(actor)} archived <#{channel_id}> · action {code(record.id)}"
    return line, [section(line)]


# -- containment verified ---------------------------------------------------------------------

ITEM_BUTTON = {
    A.DEACTIVATE_KEY: (ActionId.DEACTIVATE_KEY, "Deactivate"),
    A.REVOKE_SESSIONS: (ActionId.REVOKE_SESSIONS, "Revoke sessions"),
    A.ATTACH_DENY_ALL: (ActionId.ATTACH_DENY_ALL, "Attach deny-all"),
    A.DISABLE_CONSOLE_LOGIN: (ActionId.DISABLE_CONSOLE_LOGIN, "Disable console login"),
}


def verdict_line(check: Verification) -> str:
    """One line: it holds, or every way in that is still open."""
    if check.error:
        return f"Could not verify {check.access_key_id}: {check.error}"
    if check.holds:
        left = "".join(f" (but: {item.what})" for item in check.notes)
        return f"✅ {check.access_key_id} and its principal can do nothing now{left}"
    return "⚠️ Still open: " + "; ".join(item.what for item in check.open_items)


def verification_message(check: Verification, incident_id: str = "") -> Message:
    """The verdict, then each open item with the button that closes it."""
    text = verdict_line(check)
    blocks = [section(clean(text, 2900) if check.error else _verdict_mrkdwn(check))]
    for index, item in enumerate([*check.open_items, *check.notes][:20]):
        line = section(f"• {clean(item.what, 600)}")
        if item.action in ITEM_BUTTON:
            action_id, label = ITEM_BUTTON[item.action]
            value = ButtonValue(i=incident_id, k=item.key_id, a=check.account_id)
            line["accessory"] = _button(label, action_id, value, style="danger")
        line["block_id"] = f"kc_open_{index}"
        blocks.append(line)
    facts = _verification_facts(check)
    if facts:
        blocks.append(context(" · ".join(facts)))
    return text, blocks


def _verdict_mrkdwn(check: Verification) -> str:
    if check.holds:
        return f"✅ *{code(check.access_key_id)} and its principal can do nothing now*"
    return f"⚠️ *Still open* for {code(check.access_key_id)}:"


def _verification_facts(check: Verification) -> list[str]:
    facts = [f"{code(key, 24)} {clean(status, 20)}" for key, status in sorted(check.keys.items())]
    if check.login_profile is not None:
        facts.append("console password set" if check.login_profile else "no console password")
    facts.append(f"{DENY_ALL} {'present' if check.deny_all else 'absent'}")
    facts.append(f"{REVOKE_SESSIONS} {'present' if check.revoked else 'absent'}")
    for session in check.sessions[:8]:
        state = "usable" if session.usable else "stopped"
        facts.append(f"session {code(session.access_key_id, 24)} {state}: {clean(session.why, 60)}")
    if check.sessions_error:
        facts.append(f"minted sessions not read: {clean(check.sessions_error, 200)}")
    return facts
