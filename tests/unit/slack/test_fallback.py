"""Fallback texts: plain words and people's names, whatever an action came to."""

from __future__ import annotations

import pytest

from bot.models import ActionKind, ActionOutcome, ActionRecord, ActionState, OutcomeStatus
from bot.slack.fallback import outcome_text, people

KEY = "AKIAIOSFODNN7EXAMPLE"
NAMES = {"U0ALICE": "Alice Doe", "U0BOB": "Bob Roe"}


def record(action: ActionKind, state: ActionState, **fields: str) -> ActionRecord:
    return ActionRecord(
        id=f"act-{action.value}",
        idempotency_key=action.value,
        action=action,
        actor=fields.pop("actor", "U0ALICE"),
        target=KEY,
        state=state,
        **fields,
    )


def contained(*states: ActionState, **fields: str) -> ActionOutcome:
    kinds = (ActionKind.DEACTIVATE_KEY, ActionKind.ATTACH_DENY_ALL)
    steps = [record(kind, state) for kind, state in zip(kinds, states, strict=True)]
    whole = ActionState.DONE if set(states) == {ActionState.DONE} else ActionState.FAILED
    parent = record(ActionKind.CONTAIN_ALL, whole, **fields)
    status = OutcomeStatus.DONE if whole is ActionState.DONE else OutcomeStatus.FAILED
    return ActionOutcome(status=status, message="internal", record=parent, steps=steps)


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (
            contained(ActionState.DONE, ActionState.DONE),
            f"Alice Doe contained {KEY}: key deactivated, deny-all attached",
        ),
        (
            contained(ActionState.DONE, ActionState.DONE, approved_by="U0BOB"),
            f"Alice Doe contained {KEY}: key deactivated, deny-all attached (approved by Bob Roe)",
        ),
        (
            contained(ActionState.DONE, ActionState.FAILED),
            f"Alice Doe could not contain {KEY}: key deactivated; failed: attach deny-all to",
        ),
        (
            ActionOutcome(
                status=OutcomeStatus.ALREADY,
                message="Already done by U0ALICE",
                record=record(ActionKind.DEACTIVATE_KEY, ActionState.DONE),
            ),
            f"Nothing ran twice: deactivate {KEY} was already done (asked by Alice Doe).",
        ),
        (
            ActionOutcome(
                status=OutcomeStatus.AWAITING_APPROVAL,
                message="waits",
                record=record(ActionKind.CONTAIN_ALL, ActionState.AWAITING_APPROVAL),
            ),
            f"Alice Doe asks a second responder to approve: contain {KEY}.",
        ),
        (
            ActionOutcome(
                status=OutcomeStatus.DONE,
                message="done",
                record=record(ActionKind.DEACTIVATE_KEY, ActionState.DONE, actor="keycheck"),
            ),
            f"keycheck deactivated {KEY}",
        ),
    ],
)
def test_an_outcome_is_one_plain_sentence(outcome: ActionOutcome, expected: str) -> None:
    assert outcome_text(outcome, NAMES) == expected


def test_a_name_slack_did_not_give_is_someone_and_never_an_id_or_markup() -> None:
    names = {"U0ALICE": "<!channel> Eve"}
    unknown = contained(ActionState.DONE, ActionState.DONE, actor="U0NOBODY")

    assert outcome_text(unknown, names).startswith("someone contained")
    assert "<!channel>" not in outcome_text(contained(ActionState.DONE, ActionState.DONE), names)


def test_the_people_named_are_who_asked_and_who_approved() -> None:
    assert people(contained(ActionState.DONE, ActionState.DONE, approved_by="U0BOB")) == {
        "U0ALICE",
        "U0BOB",
    }
