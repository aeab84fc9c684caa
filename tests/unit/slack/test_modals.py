"""The confirmation modal shows exactly the plan, carries its request, and needs a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.policies import DENY_ALL
from bot.errors import UnknownAction
from bot.models import ActionKind, KeyKind, KeyReport
from bot.respond.containment import plan
from bot.slack.ids import CallbackId
from bot.slack.modals import (
    REASON_BLOCK,
    REASON_INPUT,
    SNOOZE_BLOCK,
    SNOOZE_INPUT,
    ConfirmRequest,
    confirm_modal,
    loading_modal,
    missing_reason,
    problem_modal,
    reason_of,
    snooze_of,
    triage_modal,
)
from bot.standins.slack_blocks import view_errors

NOW = datetime(2026, 11, 21, 12, 30, tzinfo=UTC)
KEY = "AKIARZPUZDIKJNRZ4YMQ"
TEMP = "ASIARZPUZDIKJNRZ4YMQ"


def report(key: str = KEY, **fields: object) -> KeyReport:
    base: dict[str, object] = {
        "access_key_id": key,
        "kind": KeyKind.TEMPORARY if key.startswith("ASIA") else KeyKind.LONG_TERM,
        "account_id": "123456789012",
        "user_name": "app-integration-user",
        "status": "Active",
    }
    return KeyReport.model_validate(base | fields)


def request(action: ActionKind = ActionKind.CONTAIN_ALL, key: str = KEY) -> ConfirmRequest:
    return ConfirmRequest(
        action=action,
        key_id=key,
        account_id="123456789012",
        incident_id="inc-20261121-abc123",
        channel="C0ALERTS",
        thread_ts="1700000000.000100",
    )


def code_blocks(view: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"].strip("`")
        for b in view["blocks"]
        if b.get("text", {}).get("text", "").startswith("```")
    ]


def test_the_confirmation_lists_key_user_account_and_the_exact_policy() -> None:
    steps = plan(ActionKind.CONTAIN_ALL, report(), NOW)

    view = confirm_modal(request(), steps)

    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert KEY in text and "app-integration-user" in text and "123456789012" in text
    assert [json.loads(t) for t in code_blocks(view)] == [
        s.policy_document for s in steps if s.policy_document
    ]
    assert "status → Inactive" in text and DENY_ALL in text
    assert view["callback_id"] == CallbackId.CONFIRM_ACTION
    assert view["submit"]["text"] == "Contain"
    assert view_errors(view) == []


def test_a_role_session_names_the_role_and_offers_no_deactivation() -> None:
    role = "arn:aws:iam::123456789012:role/ci-deployer"
    steps = plan(ActionKind.CONTAIN_ALL, report(TEMP, user_name="", role_arn=role), NOW)

    view = confirm_modal(request(key=TEMP), steps)

    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "*Role*" in text and "ci-deployer" in text
    assert "status →" not in text
    assert view_errors(view) == []


def test_the_request_travels_in_the_modal_and_comes_back_whole() -> None:
    view = confirm_modal(request(), plan(ActionKind.CONTAIN_ALL, report(), NOW))

    assert ConfirmRequest.decode(view["private_metadata"]) == request()


def test_metadata_keycheck_did_not_write_is_refused() -> None:
    with pytest.raises(UnknownAction):
        ConfirmRequest.decode('{"action": "delete-account"}')
    with pytest.raises(UnknownAction):
        ConfirmRequest.decode("not json")


def test_the_reason_is_required_and_read_back_trimmed() -> None:
    view = confirm_modal(
        request(ActionKind.DEACTIVATE_KEY), plan(ActionKind.DEACTIVATE_KEY, report(), NOW)
    )
    reason = next(b for b in view["blocks"] if b.get("block_id") == REASON_BLOCK)
    assert reason["type"] == "input" and reason["optional"] is False

    typed = {
        "state": {"values": {REASON_BLOCK: {REASON_INPUT: {"value": "  leaked in a gist \n"}}}}
    }
    assert reason_of(typed) == "leaked in a gist"
    assert reason_of({"state": {"values": {}}}) == ""
    assert REASON_BLOCK in missing_reason()


def test_four_eyes_is_announced_before_confirming() -> None:
    steps = plan(ActionKind.DEACTIVATE_KEY, report(), NOW)

    view = confirm_modal(request(ActionKind.DEACTIVATE_KEY), steps, four_eyes=True)

    assert "second responder" in json.dumps(view["blocks"], ensure_ascii=False)


def test_a_revoke_says_when_its_cutoff_is_taken() -> None:
    steps = plan(ActionKind.REVOKE_SESSIONS, report(), NOW)

    view = confirm_modal(request(ActionKind.REVOKE_SESSIONS), steps)

    assert "2026-11-21T12:30:00Z" in json.dumps(view["blocks"], ensure_ascii=False)
    assert "taken when you confirm" in json.dumps(view["blocks"], ensure_ascii=False)


def test_loading_and_problem_modals_cannot_be_submitted() -> None:
    for view in (loading_modal(request()), problem_modal(request(), "Cannot reach account 1.")):
        assert "submit" not in view
        assert view_errors(view) == []
    assert "Cannot reach account 1." in json.dumps(
        problem_modal(request(), "Cannot reach account 1.")
    )


def test_hostile_text_in_a_problem_cannot_ping_or_link() -> None:
    view = problem_modal(request(), "<!channel> <https://evil.example|click>")

    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "<!channel>" not in text and "<https://evil" not in text


def test_triage_offers_a_snooze_and_reads_the_choice() -> None:
    view = triage_modal(request(ActionKind.ACKNOWLEDGE), "GetCallerIdentity from outside")
    assert view_errors(view) == []

    def chosen(value: str) -> dict[str, Any]:
        option = {"selected_option": {"value": value}}
        return {"state": {"values": {SNOOZE_BLOCK: {SNOOZE_INPUT: option}}}}

    assert snooze_of(chosen("1h")) == timedelta(hours=1)
    assert snooze_of(chosen("0")) is None
    assert snooze_of({"state": {"values": {}}}) == timedelta(hours=4)
