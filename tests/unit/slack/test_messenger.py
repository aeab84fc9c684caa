"""The messenger: every Slack call, paced per channel, retried by the SDK, errors made ours."""

from __future__ import annotations

import itertools
import logging
import threading

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.errors import KeycheckError
from bot.slack.messenger import (
    ChannelPacer,
    Messenger,
    PostedMessage,
    SlackDeliveryError,
    make_client,
)
from bot.standins.slack import SlackStandIn

from .conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def messenger(slack: SlackStandIn, clock: FakeClock) -> Messenger:
    client = make_client(str(slack.token), slack.url, backoff=0.01)
    return Messenger(client, pacer=ChannelPacer(clock=clock, sleep=clock.sleep))


# -- pacing --------------------------------------------------------------------------------------


def test_n_posts_to_one_channel_take_n_minus_one_seconds(clock: FakeClock) -> None:
    with SlackStandIn(clock=clock) as slack:
        client = make_client(str(slack.token), slack.url)
        messenger = Messenger(client, pacer=ChannelPacer(clock=clock, sleep=clock.sleep))
        for index in range(5):
            messenger.post("C0ALERTS", f"alert {index}")
        times = slack.post_times("C0ALERTS")
    assert clock.now >= 4.0
    assert [round(b - a, 6) for a, b in itertools.pairwise(times)] == [1.0] * 4


def test_posts_and_updates_share_the_channels_pace(clock: FakeClock) -> None:
    pacer = ChannelPacer(clock=clock, sleep=clock.sleep)
    pacer.wait("C0ALERTS")
    pacer.wait("C0ALERTS")
    assert clock.slept == [1.0]


def test_two_channels_do_not_wait_on_each_other(clock: FakeClock) -> None:
    pacer = ChannelPacer(clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.wait("C0ALERTS")
        pacer.wait("C0INCIDENT")
    assert clock.now == 2.0


def test_concurrent_posters_queue_per_channel_only() -> None:
    """At a frozen clock each thread's waits show its channel's queue: 1, 2, 3 s and no more."""
    waits: dict[str, list[float]] = {"C0ALERTS": [], "C0INCIDENT": []}
    pacer = ChannelPacer(
        clock=lambda: 0.0, sleep=lambda s: waits[threading.current_thread().name].append(s)
    )

    def post_four(channel: str) -> None:
        for _ in range(4):
            pacer.wait(channel)

    threads = [threading.Thread(target=post_four, args=(c,), name=c) for c in waits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert waits == {"C0ALERTS": [1.0, 2.0, 3.0], "C0INCIDENT": [1.0, 2.0, 3.0]}


def test_a_channel_posted_to_by_name_is_paced_with_its_id(
    messenger: Messenger, clock: FakeClock
) -> None:
    messenger.post("#security-alerts", "card")
    messenger.update("#security-alerts", "1700000000.000100", "card, 2 alerts")
    messenger.post("C0ALERTS", "reply")
    assert clock.slept == [1.0, 1.0]


# -- the calls, against the stand-in ------------------------------------------------------------


def test_post_message_returns_the_channel_id_and_ts(
    slack: SlackStandIn, messenger: Messenger
) -> None:
    posted = messenger.post_message("#security-alerts", "card")
    assert posted == PostedMessage(channel="C0ALERTS", ts="1700000000.000100")
    reply_ts = messenger.post(posted.channel, "second alert", thread_ts=posted.ts)
    assert [m["ts"] for m in slack.thread("C0ALERTS", posted.ts)] == [posted.ts, reply_ts]


def test_update_by_name_goes_to_the_learned_id(slack: SlackStandIn, messenger: Messenger) -> None:
    ts = messenger.post("#security-alerts", "1 alert")
    messenger.update("#security-alerts", ts, "37 alerts")
    assert slack.channel_messages("C0ALERTS")[0]["text"] == "37 alerts"
    assert slack.calls_to("chat.update")[0].params["channel"] == "C0ALERTS"


def test_ephemeral_reaches_only_its_user(slack: SlackStandIn, messenger: Messenger) -> None:
    ts = messenger.post("C0ALERTS", "card")
    messenger.ephemeral("C0ALERTS", "U0MALLORY", "You are not a responder.", thread_ts=ts)
    [seen] = slack.ephemerals("C0ALERTS")
    assert (seen["ephemeral_to"], seen["thread_ts"]) == ("U0MALLORY", ts)


def test_modal_open_and_update(slack: SlackStandIn, messenger: Messenger) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Deactivate key?"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Working…"}}],
    }
    view_id = messenger.open_view(slack.issue_trigger("C0ALERTS", "U0ALICE"), view)
    done = {**view, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Done"}}]}
    messenger.update_view(view_id, done)
    assert slack.views()[0]["blocks"] == done["blocks"]


def test_upload_puts_files_in_the_thread(slack: SlackStandIn, messenger: Messenger) -> None:
    ts = messenger.post("#security-alerts", "card")
    files = [("timeline-inc-1.csv", b"a,b\n"), ("timeline-inc-1.json", b"[]")]
    messenger.upload("#security-alerts", ts, files, "Timeline for AKIA…")
    shared = slack.thread("C0ALERTS", ts)[1]
    assert [f["name"] for f in shared["files"]] == ["timeline-inc-1.csv", "timeline-inc-1.json"]
    assert [f.content for f in slack.files()] == [b"a,b\n", b"[]"]


def test_incident_channel_calls(slack: SlackStandIn, messenger: Messenger) -> None:
    channel = messenger.create_channel("inc-20260521-app-integration-user")
    messenger.invite(channel, ["U0ALICE", "U0BOB"])
    ts = messenger.post(channel, "summary")
    messenger.pin(channel, ts)
    link = messenger.permalink(channel, ts)
    messenger.archive(channel)
    assert link.endswith(f"/archives/{channel}/p{ts.replace('.', '')}")
    assert slack.pins(channel) == [ts]
    assert slack.channel_info(channel)["is_archived"] is True


def test_people(messenger: Messenger) -> None:
    assert messenger.usergroup_members("S0RESPONDERS") == ["U0ALICE", "U0BOB"]


# -- retries and errors --------------------------------------------------------------------------


def test_the_client_carries_the_sdks_retry_handlers(slack: SlackStandIn) -> None:
    handlers = make_client("xoxb-x", slack.url).retry_handlers
    for kind in (RateLimitErrorRetryHandler, ServerErrorRetryHandler, ConnectionErrorRetryHandler):
        assert any(isinstance(h, kind) for h in handlers), kind


def test_a_429_is_retried_and_the_card_posted_once(
    slack: SlackStandIn, messenger: Messenger
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    messenger.post("C0ALERTS", "card")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(slack.channel_messages("C0ALERTS")) == 1


def test_a_503_is_retried(slack: SlackStandIn, messenger: Messenger) -> None:
    slack.fail_next("usergroups.users.list", status=503)
    assert messenger.usergroup_members("S0RESPONDERS") == ["U0ALICE", "U0BOB"]


def test_slack_errors_become_ours_without_the_token(
    slack: SlackStandIn, messenger: Messenger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(SlackDeliveryError) as caught:
        messenger.post("#no-such-channel", "card")
    assert isinstance(caught.value, KeycheckError)
    assert caught.value.code == "channel_not_found"
    assert (
        str(caught.value) == "Slack chat.postMessage in #no-such-channel failed: channel_not_found"
    )
    assert "channel_not_found" in caplog.text
    assert str(slack.token) not in caplog.text + str(caught.value)


def test_retries_exhausted_is_a_delivery_error(slack: SlackStandIn, messenger: Messenger) -> None:
    slack.fail_next("chat.update", status=500, times=5)
    ts = messenger.post("C0ALERTS", "card")
    with pytest.raises(SlackDeliveryError) as caught:
        messenger.update("C0ALERTS", ts, "2 alerts")
    assert caught.value.code == "internal_error"
    assert len(slack.calls_to("chat.update")) == 3


def test_a_dead_slack_is_a_connection_error(messenger: Messenger) -> None:
    probe = SlackStandIn().start()
    probe.stop()
    dead = Messenger(make_client("xoxb-x", probe.url, timeout=2, backoff=0.01))
    with pytest.raises(SlackDeliveryError) as caught:
        dead.post("C0ALERTS", "card")
    assert caught.value.code.startswith("connection_error")


def test_a_given_client_gets_the_missing_handlers(slack: SlackStandIn) -> None:
    bare = WebClient(base_url=slack.url, token=slack.token, retry_handlers=[])
    kinds = [type(h) for h in Messenger(bare).client.retry_handlers]
    assert kinds.count(RateLimitErrorRetryHandler) == 1
    assert ServerErrorRetryHandler in kinds
