"""The card's actions: five buttons at most, the rest in a menu, done steps gone or undoable."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import ActionKind, ActionRecord, ActionState, Alert, AlertContext, IncidentStatus
from bot.slack.card_actions import Offer, card_offers, layout
from bot.slack.cards import CardStory, incident_card
from bot.slack.ids import ActionId, ButtonValue
from bot.standins.slack_blocks import block_errors
from tests.support.cards import button_count, offered
from tests.unit.slack.conftest import ACCOUNT, KEY, key_report, make_incident

WHEN = datetime(2026, 5, 21, 12, 14, tzinfo=UTC)


def contain_all(state: ActionState = ActionState.DONE) -> ActionRecord:
    return ActionRecord(
        id="act-7",
        idempotency_key="k7",
        action=ActionKind.CONTAIN_ALL,
        actor="U0ALICE",
        incident_id="inc-20260521-0001",
        target=KEY,
        account_id=ACCOUNT,
        state=state,
        updated_at=WHEN,
    )


def test_an_open_card_shows_its_primary_actions_first_and_the_rest_in_the_menu(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    _, blocks = incident_card(
        make_incident(caller_identity), caller_identity, caller_identity_context
    )
    actions = [b for b in blocks if b["type"] == "actions"]
    assert block_errors(blocks) == []
    first = [e["action_id"] for e in actions[0]["elements"] if e["type"] == "button"]
    assert first[:3] == [ActionId.CONTAIN_ALL, ActionId.TIMELINE, ActionId.ACKNOWLEDGE]
    assert button_count(blocks) <= 5
    menu = offered(blocks)
    assert menu[ActionId.FALSE_POSITIVE]["overflow"]
    for choice in (c for c in menu.values() if c.get("overflow")):
        assert len(choice["option"]) <= 150
        decoded = ButtonValue.decode(choice["option"])
        assert (decoded.i, decoded.k, decoded.a) == ("inc-20260521-0001", KEY, ACCOUNT)


def test_a_contained_key_offers_verify_and_its_status_row_undo(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    done = caller_identity_context.model_copy(
        update={"key": key_report(status="Inactive", deny_all_attached=True, revoke_attached=True)}
    )
    story = CardStory([caller_identity], [contain_all()])
    _, blocks = incident_card(make_incident(caller_identity), caller_identity, done, story=story)
    found = offered(blocks)
    assert ActionId.CONTAIN_ALL not in found and ActionId.DEACTIVATE_KEY not in found
    assert found[ActionId.VERIFY]["style"] == "primary"
    [row] = [b for b in blocks if b.get("accessory")]
    assert "🛡️ Contained" in row["text"]["text"] and "<@U0ALICE>" in row["text"]["text"]
    assert ButtonValue.decode(row["accessory"]["value"]).r == "act-7"
    assert button_count(blocks) <= 5 and block_errors(blocks) == []


def test_an_undone_containment_leaves_no_status_row(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    story = CardStory([caller_identity], [contain_all(ActionState.UNDONE)])
    _, blocks = incident_card(
        make_incident(caller_identity), caller_identity, caller_identity_context, story=story
    )
    assert not [b for b in blocks if b.get("accessory")]


def test_an_acknowledged_card_offers_reopen_instead(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    incident = make_incident(caller_identity, status=IncidentStatus.ACKNOWLEDGED)
    _, blocks = incident_card(incident, caller_identity, caller_identity_context)
    found = offered(blocks)
    assert ActionId.REOPEN in found and ActionId.ACKNOWLEDGE not in found


def test_an_appended_action_lands_in_the_menu_within_the_limits(
    caller_identity: Alert,
) -> None:
    incident = make_incident(caller_identity)
    offers = card_offers(incident, KEY, ACCOUNT, None)
    value = ButtonValue(i=incident.id, k=KEY, a=ACCOUNT)
    more = [Offer(ActionId.VERIFY, f"Extra {n}", value) for n in range(4)]
    blocks = layout(offers + more)
    assert block_errors(blocks) == [] and button_count(blocks) <= 5
    assert sum(
        len(e["options"]) for b in blocks for e in b["elements"] if e["type"] == "overflow"
    ) == (len(offers) + len(more) - button_count(blocks))
