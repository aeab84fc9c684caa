"""Fallback texts: what a notification, a search result or a screen reader shows of a message.

Slack shows a message's `text` wherever its blocks are not drawn, so it says what
happened in plain words with people's names ("Alice Doe contained AKIA…: key
deactivated, deny-all attached"), never an internal name (`contain-all`) or a raw user
id. The blocks keep their `<@U…>` mentions, which Slack draws as names itself. Names are
looked up by the caller (users.info, cached) and handed in, so these stay pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionRecord,
    ActionState,
    Incident,
    IncidentStatus,
    OutcomeStatus,
)
from bot.slack.format import plain

Names = Mapping[str, str]

DID = {
    ActionKind.DEACTIVATE_KEY: "deactivated",
    ActionKind.REACTIVATE_KEY: "reactivated",
    ActionKind.ATTACH_DENY_ALL: "attached deny-all to",
    ActionKind.REMOVE_DENY_ALL: "removed deny-all from",
    ActionKind.REVOKE_SESSIONS: "revoked the earlier sessions of",
    ActionKind.REMOVE_REVOKE: "lifted the session revocation on",
    ActionKind.CONTAIN_ALL: "contained",
    ActionKind.DISABLE_CONSOLE_LOGIN: "disabled console login for",
    ActionKind.CONTAIN_FOOTPRINT: "contained what was left behind by",
}
TO_DO = {
    ActionKind.DEACTIVATE_KEY: "deactivate",
    ActionKind.REACTIVATE_KEY: "reactivate",
    ActionKind.ATTACH_DENY_ALL: "attach deny-all to",
    ActionKind.REMOVE_DENY_ALL: "remove deny-all from",
    ActionKind.REVOKE_SESSIONS: "revoke the earlier sessions of",
    ActionKind.REMOVE_REVOKE: "lift the session revocation on",
    ActionKind.CONTAIN_ALL: "contain",
    ActionKind.DISABLE_CONSOLE_LOGIN: "disable console login for",
    ActionKind.CONTAIN_FOOTPRINT: "contain what was left behind by",
}
STEP_DONE = {
    ActionKind.DEACTIVATE_KEY: "key deactivated",
    ActionKind.REACTIVATE_KEY: "key reactivated",
    ActionKind.ATTACH_DENY_ALL: "deny-all attached",
    ActionKind.REMOVE_DENY_ALL: "deny-all removed",
    ActionKind.REVOKE_SESSIONS: "earlier sessions revoked",
    ActionKind.REMOVE_REVOKE: "session revocation lifted",
    ActionKind.DISABLE_CONSOLE_LOGIN: "console login disabled",
}
ALREADY = {
    ActionState.DONE: "already done",
    ActionState.REQUESTED: "already running",
    ActionState.AWAITING_APPROVAL: "already waiting for a second responder",
    ActionState.UNDONE: "already undone",
    ActionState.FAILED: "already tried, and it failed",
}


def people(outcome: ActionOutcome) -> set[str]:
    """Whose names an outcome's text needs: who asked, and who approved."""
    record = outcome.record
    if record is None:
        return set()
    return {person for person in (record.actor, record.approved_by) if person}


def outcome_text(outcome: ActionOutcome, names: Names) -> str:
    """The outcome of a containment request, approval or undo, in one plain sentence."""
    record = outcome.record
    if record is None:
        return plain(outcome.message, 300)
    who, what = _name(names, record.actor), f"{_to_do(record)} {record.target}"
    if outcome.status is OutcomeStatus.AWAITING_APPROVAL:
        return f"{who} asks a second responder to approve: {what}."
    if outcome.status is OutcomeStatus.ALREADY:
        return f"Nothing ran twice: {what} was {ALREADY[record.state]} (asked by {who})."
    if outcome.status is OutcomeStatus.IN_DOUBT:
        return f"In doubt: {who} asked to {what}, and it did not finish. Ask again to run it."
    return _result(record, outcome.steps, names) + _approved(record, names)


TRIAGED = {
    IncidentStatus.OPEN: "reopened",
    IncidentStatus.ACKNOWLEDGED: "acknowledged",
    IncidentStatus.FALSE_POSITIVE: "marked as a false positive",
    IncidentStatus.CLOSED: "closed",
}


def triage_text(actor: str, incident: Incident) -> str:
    return f"{_said(actor)} {TRIAGED[incident.status]} incident {incident.id}."


def case_asked_text(actor: str, result: str) -> str:
    return f"{_said(actor)} asked for an AWS Support case: {plain(result, 300)}"


def declared_text(actor: str, incident_id: str, channel_name: str) -> str:
    return f"{_said(actor)} declared incident {incident_id}: it is worked in #{channel_name}."


def archived_text(actor: str, channel_name: str) -> str:
    return f"{_said(actor)} archived the incident channel #{channel_name}."


def _result(record: ActionRecord, steps: list[ActionRecord], names: Names) -> str:
    who = _name(names, record.actor)
    done = _steps(s for s in steps if s.state is ActionState.DONE)
    failed = [TO_DO.get(s.action, "a step") for s in steps if s.state is not ActionState.DONE]
    if record.undo_of:
        head = f"{who} undid {_to_do(record, past=True)} {record.target}"
    elif record.state is ActionState.DONE:
        head = f"{who} {DID.get(record.action, 'acted on')} {record.target}"
    else:
        head = f"{who} could not {_to_do(record)} {record.target}"
    details = [done] if done else []
    if failed:
        details.append("failed: " + ", ".join(failed))
    if not details and record.error:
        details.append(plain(record.error, 200))
    return f"{head}: {'; '.join(details)}" if details else head


def _steps(steps: Iterable[ActionRecord]) -> str:
    return ", ".join(STEP_DONE[s.action] for s in steps if s.action in STEP_DONE)


def _to_do(record: ActionRecord, *, past: bool = False) -> str:
    if past:
        return "the containment of" if record.action is ActionKind.CONTAIN_ALL else "a change to"
    return TO_DO.get(record.action, "act on")


def _approved(record: ActionRecord, names: Names) -> str:
    return f" (approved by {_name(names, record.approved_by)})" if record.approved_by else ""


def _name(names: Names, user: str) -> str:
    """A person's name; keycheck itself, or a name Slack did not give, as "keycheck"/"someone"."""
    if user == "keycheck":
        return "keycheck"
    return _said(names.get(user, ""))


def _said(name: str) -> str:
    return plain(name, 80) or "someone"
