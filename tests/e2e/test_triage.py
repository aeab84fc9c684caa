"""Acknowledge, false positive and reopen: the status, and a quiet thread that keeps counting."""

from __future__ import annotations

from datetime import timedelta

from bot.models import ActionKind, Incident, IncidentStatus, utcnow
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from tests.conftest import STRANGER
from tests.e2e.conftest import (
    ACCOUNT,
    ALERTS,
    T0,
    TOPIC,
    Responder,
    buttons,
    card_value,
    messages_text,
    replies,
    wait_replies,
)
from tests.support.story import as_alert, repeat_record


def later_alert(key_id: str, index: int) -> str:
    record = scenario.recon_records(ACCOUNT, key_id, T0)[index]
    return scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)


def triage_view(slack: SlackStandIn) -> dict:
    return slack.wait_for(lambda s: [v for v in s.views() if "submit" in v])[0]


def test_acknowledge_quiets_repeats_but_keeps_counting_and_posting_news(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    store = runtime.services.store
    responder.click(ActionId.ACKNOWLEDGE, card_value(incident), incident)
    responder.submit(triage_view(slack), reason="attacker blocked at the proxy", snooze="1h")

    [line] = wait_replies(slack, incident, 1)
    acknowledged = store.get_incident(incident.id)
    assert acknowledged is not None and acknowledged.status is IncidentStatus.ACKNOWLEDGED
    assert acknowledged.snoozed_until is not None
    quiet = acknowledged.snoozed_until - utcnow()
    assert timedelta(minutes=59) < quiet <= timedelta(hours=1)
    assert "acknowledged" in messages_text([line]) and "attacker blocked" in messages_text([line])
    card = slack.wait_for(lambda s: "Acknowledged" in messages_text(s.channel_messages(ALERTS)))
    assert card

    key = incident.access_key_id
    runtime.ingest.handle(as_alert(repeat_record(ACCOUNT, key, T0, 1), TOPIC))
    counted = store.get_incident(incident.id)
    assert counted is not None and counted.alert_count == 2
    assert len(replies(slack, incident)) == 1, "a repeat waits while acknowledged"
    runtime.ingest.handle(later_alert(key, 1))
    [_, news] = replies(slack, incident)
    assert "ListUsers" in news["text"] and news["subtype"] == "thread_broadcast"

    responder.click(ActionId.REOPEN, buttons(line)[ActionId.REOPEN]["value"], incident)
    wait_replies(slack, incident, 3)
    reopened = store.get_incident(incident.id)
    assert reopened is not None and reopened.status is IncidentStatus.OPEN
    assert reopened.snoozed_until is None
    runtime.ingest.handle(as_alert(repeat_record(ACCOUNT, key, T0, 2), TOPIC))
    digest = replies(slack, incident)[3]
    assert "1 more" in digest["text"] and "GetCallerIdentity" in digest["text"]
    kinds = [r.action for r in store.actions_for(incident.id)]
    assert kinds == [ActionKind.ACKNOWLEDGE, ActionKind.REOPEN]


def test_false_positive_can_keep_pinging(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    responder.click(ActionId.FALSE_POSITIVE, card_value(incident), incident)
    responder.submit(triage_view(slack), snooze="0")

    wait_replies(slack, incident, 1)
    marked = runtime.services.store.get_incident(incident.id)
    assert marked is not None and marked.status is IncidentStatus.FALSE_POSITIVE
    assert marked.snoozed_until is None


def test_a_stranger_cannot_acknowledge(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, stranger: Responder
) -> None:
    stranger.click(ActionId.ACKNOWLEDGE, card_value(incident), incident)

    note = slack.wait_for(lambda s: s.ephemerals(ALERTS))[0]
    assert note["ephemeral_to"] == STRANGER
    assert slack.views() == []
    unchanged = runtime.services.store.get_incident(incident.id)
    assert unchanged is not None and unchanged.status is IncidentStatus.OPEN


def test_an_acknowledgement_submitted_twice_is_recorded_once(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    store = runtime.services.store
    responder.click(ActionId.ACKNOWLEDGE, card_value(incident), incident)
    view = triage_view(slack)
    responder.submit(view, reason="proxy blocks it", snooze="1h")
    wait_replies(slack, incident, 1)
    responder.submit(view, reason="proxy blocks it", snooze="1h")

    [announced, repeat] = wait_replies(slack, incident, 2)
    assert "acknowledged" in messages_text([announced])
    assert "already done" in messages_text([repeat]) and "Nothing ran twice" in messages_text(
        [repeat]
    )
    assert [r.action for r in store.actions_for(incident.id)] == [ActionKind.ACKNOWLEDGE]

    responder.click(ActionId.REOPEN, buttons(announced)[ActionId.REOPEN]["value"], incident)
    wait_replies(slack, incident, 3)
    responder.click(ActionId.ACKNOWLEDGE, card_value(incident), incident)
    responder.submit(triage_view_after(slack, view), reason="again", snooze="1h")
    wait_replies(slack, incident, 4)
    kinds = [r.action for r in store.actions_for(incident.id)]
    assert kinds == [ActionKind.ACKNOWLEDGE, ActionKind.REOPEN, ActionKind.ACKNOWLEDGE]


def triage_view_after(slack: SlackStandIn, earlier: dict) -> dict:
    """The form opened after `earlier`: a new press opens a new view."""
    return slack.wait_for(
        lambda s: [v for v in s.views() if "submit" in v and v.get("id") != earlier.get("id")]
    )[0]
