"""Answers reach the person where they asked: private channels, DMs, threads, strangers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER, STRANGER
from tests.e2e.conftest import card_value, messages_text

Conversation = Callable[[SlackStandIn], str]


def private_channel(slack: SlackStandIn) -> str:
    return slack.add_channel(
        "secret-project", members=[RESPONDER], bot_member=False, is_private=True
    )


def direct_message(slack: SlackStandIn) -> str:
    return slack.add_dm(RESPONDER, "U0ALICE")


@pytest.mark.parametrize("where", [private_channel, direct_message], ids=["private", "dm"])
def test_keycheck_where_the_bot_is_not_reaches_the_person_through_the_response_url(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    incident: Incident,
    where: Conversation,
) -> None:
    conversation = where(slack)

    status, body = slack_requests.command(
        incident.access_key_id, user=RESPONDER, channel=conversation
    )

    assert status == 200 and "Looking up" in body
    [report] = slack.wait_for(lambda s: s.ephemerals(conversation), timeout=15)
    assert report["ephemeral_to"] == RESPONDER
    text = messages_text([report])
    assert incident.user_name in text and incident.account_id in text and incident.id in text
    [answer] = slack.calls_to("response_url")
    assert answer.ok and answer.params["response_type"] == "ephemeral"
    assert slack.channel_messages(conversation) == []
    refused = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == conversation]
    assert [c.error for c in refused] == ["channel_not_found"]
    assert slack.calls_to("conversations.join") == []


def test_a_timeline_asked_where_the_bot_is_not_goes_to_the_incident_thread(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    incident: Incident,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[Incident] = []
    monkeypatch.setattr(
        runtime.services.timelines, "post", lambda target, *args, **kwargs: asked.append(target)
    )
    conversation = private_channel(slack)

    slack_requests.command(
        f"{incident.access_key_id} timeline", user=RESPONDER, channel=conversation
    )

    notes = slack.wait_for(lambda s: s.ephemerals(conversation)[1:] and s.ephemerals(conversation))
    runtime.services.reads.shutdown(wait=True)
    assert "the incident's thread" in notes[1]["text"]
    assert [(i.channel, i.thread_ts) for i in asked] == [(incident.channel, incident.thread_ts)]


def test_a_strangers_keycheck_is_acknowledged_before_aws_is_asked_and_answered_after(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    incident: Incident,
) -> None:
    lookup = runtime.services.lookup
    real_account_of = lookup.account_of
    sts_may_answer = threading.Event()

    def slow_sts(key_id: str) -> str:
        sts_may_answer.wait(10)
        return real_account_of(key_id)

    lookup.account_of = slow_sts  # type: ignore[method-assign]
    random = slack.add_channel("random", members=[STRANGER], bot_member=False)
    posted_before = len(slack.calls_to("chat.postMessage"))

    started = time.monotonic()
    status, body = slack_requests.command(
        f"{incident.access_key_id} timeline", user=STRANGER, channel=random
    )
    acked_in = time.monotonic() - started
    sts_may_answer.set()

    assert status == 200 and acked_in < 2.0
    assert incident.id not in body and incident.user_name not in body
    [note] = slack.wait_for(lambda s: s.ephemerals(random), timeout=15)
    assert note["ephemeral_to"] == STRANGER
    assert "keycheck knows" in note["text"] and incident.id in note["text"]
    assert incident.user_name not in note["text"] and scenario.ATTACKER_IP not in note["text"]
    assert [c.ok for c in slack.calls_to("response_url")] == [True]
    runtime.services.reads.shutdown(wait=True)
    assert len(slack.calls_to("chat.postMessage")) == posted_before
    assert slack.calls_to("conversations.join") == [] and slack.files() == []


@pytest.mark.parametrize(
    ("user", "value", "expected"),
    [
        (STRANGER, None, "not a keycheck responder"),
        (RESPONDER, "not-a-button-value", "not one keycheck made"),
    ],
    ids=["stranger", "bad-value"],
)
def test_a_note_about_a_click_in_a_thread_lands_in_that_thread(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    incident: Incident,
    user: str,
    value: str | None,
    expected: str,
) -> None:
    reply_ts = runtime.services.messenger.post(
        incident.channel, "A reply with buttons", thread_ts=incident.thread_ts
    )

    slack_requests.click(
        ActionId.DEACTIVATE_KEY.value,
        value or card_value(incident).encode(),
        user=user,
        channel=incident.channel,
        message_ts=reply_ts,
        thread_ts=incident.thread_ts,
    )

    [note] = slack.wait_for(lambda s: s.ephemerals(incident.channel), timeout=15)
    assert note["ephemeral_to"] == user and expected in note["text"]
    assert note["thread_ts"] == incident.thread_ts


def test_a_note_about_a_click_on_the_card_itself_stays_in_the_channel(
    slack: SlackStandIn, slack_requests: SlackRequests, incident: Incident
) -> None:
    slack_requests.click(
        ActionId.DEACTIVATE_KEY.value,
        card_value(incident).encode(),
        user=STRANGER,
        channel=incident.channel,
        message_ts=incident.thread_ts,
    )

    [note] = slack.wait_for(lambda s: s.ephemerals(incident.channel), timeout=15)
    assert note["ephemeral_to"] == STRANGER and "thread_ts" not in note
