"""Replies: the /keycheck report, audit lines that say what is true now, and their buttons."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

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
    Severity,
)
from bot.slack.cards import card_buttons
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.replies import (
    audit_line,
    case_message,
    key_report_message,
    outcome_message,
    triage_message,
)
from bot.standins.slack_blocks import block_errors

from .conftest import dated

NOW = datetime(2026, 11, 21, 12, 30, tzinfo=UTC)
KEY = "AKIARZPUZDIKJNRZ4YMQ"
ACCOUNT = "123456789012"
USER = "app-integration-user"
RESPONDER = "U0RESPONDER"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def dump(blocks: list[dict[str, Any]]) -> str:
    """The blocks as JSON, local times read as their UTC fallback."""
    return dated(json.dumps(blocks, ensure_ascii=False))


def button_map(blocks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            found.setdefault(element["action_id"], []).append(element)
    return found


def key_report(**fields: Any) -> KeyReport:
    base: dict[str, Any] = {
        "access_key_id": KEY,
        "kind": KeyKind.LONG_TERM,
        "account_id": ACCOUNT,
        "user_name": USER,
        "status": "Active",
        "created": NOW - timedelta(days=400),
        "last_used_at": NOW - timedelta(hours=1),
        "last_used_service": "sts",
        "last_used_region": "us-east-1",
        "attached_policies": ["AdministratorAccess", "AWSCompromisedKeyQuarantineV3"],
        "inline_policies": ["ses-send-only", "keycheck-deny-all"],
        "other_keys": ["AKIARZPUZDIKOTHERKEY"],
        "admin_attached": True,
        "quarantine_attached": True,
        "deny_all_attached": True,
    }
    return KeyReport.model_validate(base | fields)


def incident(**fields: Any) -> Incident:
    base: dict[str, Any] = {
        "id": "inc-20261121-abc123",
        "account_id": ACCOUNT,
        "subject": KEY,
        "title": "GetCallerIdentity from outside known networks",
        "severity": Severity.HIGH,
        "access_key_id": KEY,
        "user_name": USER,
        "alert_count": 3,
        "channel": "C0ALERTS",
        "thread_ts": "1700000000.000100",
    }
    return Incident.model_validate(base | fields)


def record(action: ActionKind = ActionKind.DEACTIVATE_KEY, **fields: Any) -> ActionRecord:
    base: dict[str, Any] = {
        "id": "act-0123456789",
        "idempotency_key": f"{action.value}|{ACCOUNT}|{KEY}|0",
        "action": action,
        "actor": RESPONDER,
        "incident_id": "inc-20261121-abc123",
        "target": KEY,
        "account_id": ACCOUNT,
        "reason": "posted in a public gist",
        "state": ActionState.DONE,
        "requested_at": NOW,
        "updated_at": NOW,
        "aws_request_id": "req-1",
        "before": {"principal": f"user/{USER}", "key_id": KEY, "status": "Active"},
        "after": {"principal": f"user/{USER}", "key_id": KEY, "status": "Inactive"},
    }
    return ActionRecord.model_validate(base | fields)


def policy_record(action: ActionKind, ident: str) -> ActionRecord:
    state = {"principal": f"user/{USER}", "policy_name": "keycheck-deny-all"}
    return record(
        action,
        id=ident,
        before=state | {"document": None},
        after=state | {"document": {"Statement": []}},
    )


def test_the_report_says_whose_key_what_state_and_flags_what_matters() -> None:
    text, blocks = key_report_message(key_report(), now=NOW)

    shown = dump(blocks)
    assert KEY in text and USER in shown and ACCOUNT in shown
    assert "Active" in shown and "400 days ago" in shown and "sts · us-east-1" in shown
    assert "*AdministratorAccess* is attached" in shown
    assert "AWSCompromisedKeyQuarantineV3" in shown and "`keycheck-deny-all` is in place" in shown
    assert "AKIARZPUZDIKOTHERKEY" in shown and "ses-send-only" in shown
    assert block_errors(blocks) == []


def test_with_an_open_incident_the_report_links_it_and_has_the_cards_buttons() -> None:
    open_incident = incident()
    link = "https://keycheck.slack.com/archives/C0ALERTS/p1700000000000100"

    _, blocks = key_report_message(key_report(), open_incident, incident_link=link, now=NOW)

    assert f"<{link}|" in dump(blocks) and open_incident.id in dump(blocks)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert actions == card_buttons(open_incident, KEY, ACCOUNT)


def test_without_an_incident_the_buttons_carry_the_key_and_no_incident() -> None:
    _, blocks = key_report_message(key_report(), now=NOW)

    buttons = button_map(blocks)
    assert {ActionId.DEACTIVATE_KEY, ActionId.CONTAIN_ALL, ActionId.TIMELINE} <= set(buttons)
    value = ButtonValue.decode(buttons[ActionId.CONTAIN_ALL][0]["value"])
    assert (value.k, value.a, value.i) == (KEY, ACCOUNT, "")


def test_a_temporary_key_is_never_offered_deactivation() -> None:
    role = "arn:aws:iam::123456789012:role/ci-deployer"
    temp = key_report(
        access_key_id="ASIARZPUZDIKJNRZ4YMQ", kind=KeyKind.TEMPORARY, user_name="", role_arn=role
    )

    _, blocks = key_report_message(temp, now=NOW)

    assert ActionId.DEACTIVATE_KEY not in button_map(blocks)
    assert "ci-deployer" in dump(blocks)


def test_an_audit_line_says_who_what_before_after_why_and_the_request() -> None:
    line = audit_line(record())

    assert line.startswith(f":white_check_mark: <@{RESPONDER}> deactivated `{KEY}`")
    assert "(was Active, now Inactive)" in line
    assert "“posted in a public gist”" in line and "request `req-1`" in line
    assert "action `act-0123456789`" in line


def test_a_done_action_gets_an_undo_button_naming_its_record() -> None:
    outcome = ActionOutcome(
        status=OutcomeStatus.DONE, message="done", record=record(), steps=[record()]
    )

    _, blocks = outcome_message(outcome)

    [undo] = button_map(blocks)[ActionId.UNDO]
    assert undo["text"]["text"] == "Reactivate" and "confirm" in undo
    assert ButtonValue.decode(undo["value"]).r == "act-0123456789"
    assert block_errors(blocks) == []


def test_contain_all_lists_each_step_with_its_own_undo_and_one_for_all() -> None:
    parent = record(ActionKind.CONTAIN_ALL, id="act-parent0000", before={}, after={})
    steps = [
        record(id="act-step000001"),
        policy_record(ActionKind.ATTACH_DENY_ALL, "act-step000002"),
    ]
    outcome = ActionOutcome(status=OutcomeStatus.DONE, message="done", record=parent, steps=steps)

    _, blocks = outcome_message(outcome)

    undo_ids = [ButtonValue.decode(b["value"]).r for b in button_map(blocks)[ActionId.UNDO]]
    assert undo_ids == ["act-step000001", "act-step000002", "act-parent0000"]
    shown = dump(blocks)
    assert "contained" in shown and "was absent, now present" in shown
    assert block_errors(blocks) == []


def test_a_repeat_says_who_did_it_when_and_offers_nothing_to_press() -> None:
    outcome = ActionOutcome(status=OutcomeStatus.ALREADY, message="Already done", record=record())

    _, blocks = outcome_message(outcome)

    assert f"already done by <@{RESPONDER}> at 2026-11-21 12:30:00 UTC" in dump(blocks)
    assert button_map(blocks) == {}


def test_four_eyes_shows_the_request_and_an_approve_button() -> None:
    waiting = record(state=ActionState.AWAITING_APPROVAL, before={}, after={})
    outcome = ActionOutcome(
        status=OutcomeStatus.AWAITING_APPROVAL, message="waiting", record=waiting
    )

    _, blocks = outcome_message(outcome)

    assert "Waiting for a second responder" in dump(blocks)
    [approve] = button_map(blocks)[ActionId.APPROVE]
    assert ButtonValue.decode(approve["value"]).r == waiting.id


def test_a_failure_says_so_with_the_error() -> None:
    failed = record(
        state=ActionState.FAILED, error="UpdateAccessKey: AccessDenied", before={}, after={}
    )
    outcome = ActionOutcome(
        status=OutcomeStatus.FAILED, message="failed", record=failed, steps=[failed]
    )

    _, blocks = outcome_message(outcome)

    assert ":x:" in dump(blocks) and "AccessDenied" in dump(blocks)
    assert ActionId.UNDO not in button_map(blocks)


def test_hostile_reasons_cannot_ping_link_or_leak_a_secret() -> None:
    line = audit_line(record(reason=f"<!channel> <https://evil.example|click> {SECRET}"))

    assert "<!channel>" not in line and "<https://evil" not in line
    assert SECRET not in line


def test_other_actors_show_as_names_not_mentions() -> None:
    assert "`keycheck` deactivated" in audit_line(record(actor="keycheck"))
    assert "`cli:alice` deactivated" in audit_line(record(actor="cli:alice"))


def test_without_a_support_plan_the_case_text_is_posted_to_paste() -> None:
    outcome = CaseOutcome(
        status=CaseStatus.NO_SUPPORT_PLAN,
        message="Account 123456789012 has no support plan with API access.",
        subject="Exposed access key",
        body="Key AKIA… was exposed at 12:11 UTC.",
    )

    _, blocks = case_message(outcome, RESPONDER)

    assert "no support plan" in dump(blocks) and "```Key AKIA… was exposed" in dump(blocks)


def test_triage_says_until_when_the_thread_is_quiet_and_offers_reopen() -> None:
    quiet = incident(status=IncidentStatus.ACKNOWLEDGED, snoozed_until=NOW + timedelta(hours=4))

    _, blocks = triage_message(quiet, RESPONDER, "handled by the proxy team")

    shown = dump(blocks)
    assert "acknowledged" in shown and "2026-11-21 16:30:00 UTC" in shown
    assert ActionId.REOPEN in button_map(blocks)
    _, reopened = triage_message(incident(), RESPONDER)
    assert "reopened" in dump(reopened) and ActionId.REOPEN not in button_map(reopened)


def test_an_undone_contain_all_offers_no_further_undo() -> None:
    parent = record(ActionKind.CONTAIN_ALL, id="act-undo000000", undo_of="act-parent0000")
    steps = [
        record(ActionKind.REACTIVATE_KEY, id="act-undo000001", undo_of="act-step000001"),
        record(ActionKind.REMOVE_DENY_ALL, id="act-undo000002", undo_of="act-step000002"),
    ]
    outcome = ActionOutcome(status=OutcomeStatus.DONE, message="undone", record=parent, steps=steps)

    _, blocks = outcome_message(outcome)

    assert ActionId.UNDO not in button_map(blocks)
    assert "undid `act-parent0000`" in dump(blocks)
