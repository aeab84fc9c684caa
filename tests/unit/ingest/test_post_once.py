"""Finding 6: a post in doubt (its answer lost, its poster killed) is looked for, not repeated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import Settings
from bot.ingest.pipeline import Ingest
from bot.ingest.posting import SETTLE_SECONDS, OncePoster, reply_mark
from bot.slack.messenger import ChannelPacer, Messenger, SlackDeliveryError, make_client
from bot.standins.slack import SlackStandIn
from bot.store import lease_owner
from bot.store.base import holder_gone
from tests.unit.ingest.conftest import Replica
from tests.unit.store.support import T0, alert

KEY = "AKIAQWERTYUIOPASDFGH"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def hurried(settings: Settings, slack: SlackStandIn, replica: Replica) -> Ingest:
    """An Ingest whose Slack client gives up after one second."""
    ingest = replica()
    client = make_client(settings.slack_bot_token.get_secret_value(), slack.url, timeout=1)
    ingest.messenger = Messenger(client, pacer=ChannelPacer(interval=0.0))
    ingest.poster = OncePoster(ingest.store, ingest.messenger)
    return ingest


def test_a_card_whose_answer_came_too_late_is_found_not_posted_again(
    settings: Settings, slack: SlackStandIn, replica: Replica
) -> None:
    ingest = hurried(settings, slack, replica)
    ingest.store.record_alert(alert("ct-1", key=KEY))
    slack.answer_late("chat.postMessage", 2.0)
    with pytest.raises(SlackDeliveryError, match="connection_error"):
        ingest.deliver()

    slack.wait_for(lambda s: s.channel_messages("C0ALERTS"))
    ingest.deliver()

    [card] = slack.channel_messages("C0ALERTS")
    assert ingest.store.unposted_alerts() == []
    incident = ingest.store.find_incident("123456789012", KEY)
    assert incident is not None and incident.thread_ts == card["ts"]
    assert len(slack.calls_to("conversations.history")) == 1


def test_a_post_in_doubt_that_never_landed_waits_then_goes_once(
    ingest: Ingest, slack: SlackStandIn
) -> None:
    clock = Clock()
    ingest.poster = OncePoster(ingest.store, ingest.messenger, clock=clock)
    ingest.store.record_alert(alert("ct-1", key=KEY))
    ingest.store.mark_posting("ct-1", clock.now)  # then killed before the request left

    ingest.deliver()
    assert slack.channel_messages("C0ALERTS") == [], "too early to say it never landed"
    assert len(ingest.store.unposted_alerts()) == 1

    clock.now += SETTLE_SECONDS + 1
    ingest.deliver()
    ingest.deliver()
    assert len(slack.channel_messages("C0ALERTS")) == 1
    assert ingest.store.unposted_alerts() == []


def test_a_reply_that_landed_before_its_poster_died_is_found_in_its_thread(
    ingest: Ingest, slack: SlackStandIn
) -> None:
    ingest.store.record_alert(alert("ct-1", key=KEY))
    ingest.deliver()
    incident = ingest.store.find_incident("123456789012", KEY)
    assert incident is not None
    news = {"title": "StopLogging", "event_name": "StopLogging", "received_at": T0}
    ingest.store.record_alert(alert("ct-2", key=KEY, **news))
    ingest.store.mark_posting("ct-2", 1.0)
    mark = reply_mark(incident.id, "ct-2")
    ingest.messenger.post_message(
        incident.channel, "reply", thread_ts=incident.thread_ts, metadata=mark
    )

    ingest.deliver()

    assert len(slack.thread("C0ALERTS", incident.thread_ts)) == 2, "the card and one reply"
    assert len(slack.calls_to("conversations.replies")) == 1
    assert ingest.store.unposted_alerts() == []


def test_a_lease_held_by_a_dead_process_of_this_host_is_taken_at_once(ingest: Ingest) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    owner = lease_owner().split(":")
    gone = ":".join([owner[0], str(dead.pid), owner[2]])
    assert holder_gone(gone) and not holder_gone(lease_owner())
    assert not holder_gone(f"another-host:{dead.pid}:x")
    assert ingest.store.acquire_lease("deliver", gone, 30.0)
    assert ingest.store.acquire_lease("deliver", "mine", 30.0)
    assert not ingest.store.acquire_lease("deliver", lease_owner(), 30.0)
