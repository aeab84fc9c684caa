"""The card's account of the whole incident: its phases, its latest alerts, who did what.

Pure Block Kit from the incident's alerts (oldest first) and its action log. Every value
an attacker may choose goes through `bot.slack.format`; user ids come from Slack itself
and are drawn as mentions only when they look like one.
"""

from __future__ import annotations

import re

from bot.alerts.story import phases_seen, when
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Alert,
    Incident,
    IncidentStatus,
    Severity,
)
from bot.slack.blocks import Block, context, section
from bot.slack.card_actions import Offer, button, last_containment
from bot.slack.console import incident_links, links_line
from bot.slack.format import clean, code, local_time
from bot.slack.ids import ActionId, ButtonValue

SEVERITY_EMOJI = {
    Severity.LOW: "🔵",
    Severity.MEDIUM: "🟡",
    Severity.HIGH: "🟠",
    Severity.CRITICAL: "🔴",
}
RECENT = 3
_USER_ID = re.compile(r"\A[UW][A-Z0-9]{2,20}\Z")
CONTAINED_LABEL = {
    ActionKind.CONTAIN_ALL: "🛡️ Contained",
    ActionKind.DEACTIVATE_KEY: "🛡️ Key deactivated",
    ActionKind.ATTACH_DENY_ALL: "🛡️ Deny-all attached",
    ActionKind.REVOKE_SESSIONS: "🛡️ Sessions revoked",
}
STATUS_DONE = {
    IncidentStatus.ACKNOWLEDGED: (ActionKind.ACKNOWLEDGE, "👀 Acknowledged"),
    IncidentStatus.FALSE_POSITIVE: (ActionKind.FALSE_POSITIVE, "🚫 False positive"),
}


def person(user: str) -> str:
    """`<@U…>` for a Slack user id (Slack shows the name), else the text escaped."""
    return f"<@{user}>" if _USER_ID.match(user) else clean(user or "someone", 60)


def api_call(source: str, name: str) -> str:
    """`iam:ListUsers`, the way responders write API calls."""
    service = source.removesuffix(".amazonaws.com")
    return code(f"{service}:{name}" if service and name else name or service, 120)


def phases_line(history: list[Alert]) -> str:
    """`*Phases* Recon (31) → Persistence (1) → Defense evasion (1)`, in the order reached."""
    steps = [f"{phase.label} ({count})" for phase, count in phases_seen(history)]
    return f"*Phases* {' → '.join(steps)}"


def alert_line(alert: Alert) -> str:
    """One alert in a line: time, severity, title, call, address."""
    parts = [f"• {local_time(when(alert), date=False)}", SEVERITY_EMOJI[alert.severity]]
    parts.append(clean(alert.title, 100))
    if alert.event_name:
        parts.append(api_call(alert.event_source, alert.event_name))
    if alert.source_ip:
        parts.append(f"from {code(alert.source_ip, 45)}")
    return " ".join(parts)


def story_section(history: list[Alert]) -> list[Block]:
    """Phases and the latest alerts; nothing for an incident of one alert (the card is it)."""
    if len(history) < 2:
        return []
    latest = history[-RECENT:]
    heading = f"*Latest alerts* ({len(latest)} of {len(history)}, latest first)"
    lines = [phases_line(history), heading, *(alert_line(a) for a in reversed(latest))]
    return [section("\n".join(lines), verbatim=True)]


def _status_record(
    incident: Incident, actions: list[ActionRecord]
) -> tuple[str, ActionRecord] | None:
    done = STATUS_DONE.get(incident.status)
    if done is None:
        return None
    kind, label = done
    records = [r for r in actions if r.action is kind and r.state is ActionState.DONE]
    return (label, records[-1]) if records else None


def status_row(incident: Incident, actions: list[ActionRecord]) -> list[Block]:
    """`🛡️ Contained <time> by @alice · Undo`: the last action in force, with its Undo.

    The Undo is a button beside the text; it opens the same confirmation as the thread's.
    """
    lines: list[str] = []
    accessory: Block | None = None
    record = last_containment(actions)
    if record is not None:
        label = CONTAINED_LABEL[record.action]
        lines.append(f"{label} {local_time(record.updated_at, ago=True)} by {person(record.actor)}")
        value = ButtonValue(i=incident.id, k=record.target, a=record.account_id, r=record.id)
        accessory = button(Offer(ActionId.UNDO, "Undo", value))
    status = _status_record(incident, actions)
    if status is not None:
        label, by = status
        line = f"{label} {local_time(by.updated_at, ago=True)} by {person(by.actor)}"
        if incident.snoozed_until is not None:
            line += f" · repeats paused until {local_time(incident.snoozed_until, date=False)}"
        lines.append(line)
    if not lines:
        return []
    block = section("\n".join(lines), verbatim=True)
    if accessory is not None:
        block["accessory"] = accessory
    return [block]


def links_context(incident: Incident, history: list[Alert]) -> list[Block]:
    """The AWS console pages a responder opens next, one click each."""
    links = incident_links(incident, history)
    return [context(f"Open in AWS: {links_line(links)}", verbatim=True)] if links else []
