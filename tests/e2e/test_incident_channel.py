"""A declared incident's channel: private, named by the incident, and kept up to date."""

from __future__ import annotations

from typing import Any

from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from tests.e2e.conftest import (
    ACCOUNT,
    ALERTS,
    T0,
    TOPIC,
    Responder,
    card_value,
    confirm_view,
    messages_text,
)


def declared(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> str:
    responder.click(ActionId.DECLARE_INCIDENT, card_value(incident), incident)

    def channel(_: SlackStandIn) -> str:
        stored = runtime.services.store.get_incident(incident.id)
        return stored.incident_channel if stored is not None else ""

    found = slack.wait_for(channel, timeout=15)
    slack.wait_for(lambda s: len(s.pins(found)) == 2)
    return found


def message_at(slack: SlackStandIn, channel: str, ts: str) -> dict[str, Any]:
    [message] = [m for m in slack.channel_messages(channel) if m["ts"] == ts]
    return message


def test_the_incident_channel_is_private_and_named_by_the_incident(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    channel = declared(runtime, slack, incident, responder)

    info = slack.channel_info(channel)
    assert info["is_private"] and info["name"] == f"keycheck-{incident.id}"
    assert incident.user_name not in info["name"]
    [create] = slack.calls_to("conversations.create")
    assert create.params["is_private"] in ("1", "true", True)


def test_a_later_alert_and_an_action_result_reach_the_channel_and_the_pinned_card_follows(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    channel = declared(runtime, slack, incident, responder)
    _, card_ts = slack.pins(channel)
    echoed = len(slack.channel_messages(channel))

    runtime.ingest.handle(
        scenario.sns_wrap(scenario.health_event(ACCOUNT, incident.access_key_id, T0), TOPIC)
    )

    later = slack.wait_for(lambda s: s.channel_messages(channel)[echoed:], timeout=15)
    assert "AWS found this access key exposed publicly" in messages_text(later)

    responder.click(ActionId.CONTAIN_ALL, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="key posted in a public repo")

    def contained(s: SlackStandIn) -> list[dict[str, Any]]:
        return [m for m in s.channel_messages(channel) if "was Active, now Inactive" in str(m)]

    [result] = slack.wait_for(contained, timeout=20)
    assert f"<@{responder.user}>" in messages_text([result])

    def card_redrawn(s: SlackStandIn) -> bool:
        card = s.channel_messages(ALERTS)[0]
        pinned = message_at(s, channel, card_ts)
        return "Inactive" in str(card["blocks"]) and pinned["blocks"] == card["blocks"]

    slack.wait_for(card_redrawn, timeout=20)
    assert message_at(slack, channel, card_ts).get("edited")


def test_a_reply_edited_in_the_alert_thread_is_edited_in_the_channel_too(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    channel = declared(runtime, slack, incident, responder)
    messenger = runtime.services.messenger
    progress = messenger.post(
        incident.channel, "⏳ Fetching the timeline…", thread_ts=incident.thread_ts
    )
    [echo] = [m for m in slack.channel_messages(channel) if m["text"].startswith("⏳")]

    messenger.update(incident.channel, progress, "Timeline: 12 events, 3 findings")

    assert message_at(slack, channel, echo["ts"])["text"] == "Timeline: 12 events, 3 findings"


def test_an_echo_slack_refuses_never_fails_the_reply_it_follows(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    channel = declared(runtime, slack, incident, responder)
    slack.workspace.channels[channel].archived = True
    messenger = runtime.services.messenger

    ts = messenger.post(incident.channel, "A later alert", thread_ts=incident.thread_ts)
    messenger.update(incident.channel, incident.thread_ts, "The card, redrawn")

    assert ts in [m["ts"] for m in slack.thread(incident.channel, incident.thread_ts)]
    assert slack.channel_messages(ALERTS)[0]["text"] == "The card, redrawn"
    refused = [c for c in slack.calls if c.params.get("channel") == channel and not c.ok]
    assert {c.error for c in refused} == {"is_archived"}
