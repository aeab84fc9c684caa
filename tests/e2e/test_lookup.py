"""`/keycheck`, the message shortcut and `@keycheck`: the key's report where it was asked."""

from __future__ import annotations

import json
import logging
import time

import boto3
import pytest

from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue, CallbackId
from bot.standins import demo_scenario as scenario
from bot.standins.aws import create_realistic_key
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER, STRANGER
from tests.e2e.conftest import ALERTS, buttons, messages_text, replies, wait_replies

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_keycheck_posts_the_report_in_the_channel_with_the_cards_buttons(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    incident: Incident,
) -> None:
    status, body = slack_requests.command(incident.access_key_id, user=RESPONDER)

    assert status == 200 and "Looking up" in body
    report = slack.wait_for(lambda s: s.channel_messages(ALERTS)[1:])[0]
    text = messages_text([report])
    assert incident.account_id in text and incident.user_name in text
    assert "Active" in text and "ses-send-only" in text
    assert incident.id in text
    value = ButtonValue.decode(buttons(report)[ActionId.CONTAIN_ALL]["value"])
    assert (value.k, value.a, value.i) == (incident.access_key_id, incident.account_id, incident.id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "No access key id given"),
        ("AKIA1234", "is not an access key id"),
        ("akiaiosfodnn7example", "is not an access key id"),
        ("AKIARZPUZDIKJNRZ4YMQ explain", "Unknown option `explain`"),
    ],
)
def test_keycheck_says_what_was_wrong_and_what_to_type(
    slack: SlackStandIn, slack_requests: SlackRequests, text: str, expected: str
) -> None:
    status, body = slack_requests.command(text, user=RESPONDER)

    assert status == 200
    assert expected in body and "/keycheck AKIA" in body
    assert slack.calls_to("chat.postMessage") == []


def test_a_pasted_secret_is_refused_and_never_echoed(
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    status, body = slack_requests.command(SECRET, user=RESPONDER)
    later, _ = slack_requests.command(f"AKIARZPUZDIKJNRZ4YMQ {SECRET}", user=RESPONDER)

    assert status == later == 200
    assert "secret" in body and "rotate" in body
    assert SECRET not in body
    runtime.services.reads.shutdown(wait=True)
    everything = json.dumps([c.params for c in slack.calls]) + caplog.text
    assert SECRET not in everything and SECRET.replace("/", "\\/") not in everything


def test_a_key_keycheck_cannot_find_gets_an_ephemeral(
    aws: boto3.Session, slack: SlackStandIn, slack_requests: SlackRequests
) -> None:
    slack_requests.command("AKIAQQQQQQQQQQQQQQQQ", user=RESPONDER)

    note = slack.wait_for(lambda s: s.ephemerals(ALERTS))[0]
    assert note["ephemeral_to"] == RESPONDER
    assert "Could not look up `AKIAQQQQQQQQQQQQQQQQ`" in note["text"]
    assert "/keycheck AKIA" in note["text"]
    assert slack.calls_to("chat.postMessage") == []


def test_the_message_shortcut_answers_in_the_thread(
    slack: SlackStandIn, slack_requests: SlackRequests, incident: Incident
) -> None:
    status, _ = slack_requests.interaction(
        {
            "type": "message_action",
            "callback_id": CallbackId.LOOKUP_SHORTCUT.value,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "team": {"id": slack_requests.team_id},
            "user": {"id": RESPONDER},
            "channel": {"id": incident.channel, "name": "security-alerts"},
            "message": {
                "type": "message",
                "text": f"is {incident.access_key_id} ours? it showed up in a gist",
                "ts": incident.thread_ts,
            },
            "message_ts": incident.thread_ts,
            "response_url": f"{slack_requests.url}/unused",
        }
    )

    assert status == 200
    [report] = wait_replies(slack, incident, 1)
    assert incident.user_name in messages_text([report])
    assert len(slack.channel_messages(ALERTS)) == 1


def test_a_mention_in_a_thread_answers_in_that_thread(
    slack: SlackStandIn, slack_requests: SlackRequests, incident: Incident
) -> None:
    event = {
        "token": "unused",
        "team_id": slack_requests.team_id,
        "api_app_id": "A0KEYCHECK",
        "type": "event_callback",
        "event_id": "Ev0KEYCHECK1",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": RESPONDER,
            "text": f"<@U0KEYCHECK> what about {incident.access_key_id}?",
            "ts": f"{time.time():.6f}",
            "thread_ts": incident.thread_ts,
            "channel": incident.channel,
            "event_ts": f"{time.time():.6f}",
        },
    }

    status, _ = slack_requests.post(json.dumps(event))

    assert status == 200
    [report] = wait_replies(slack, incident, 1)
    assert incident.account_id in messages_text([report])
    assert replies(slack, incident) == [report]


def test_keycheck_timeline_runs_the_timeline_under_the_report(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    leaked: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[Incident, str, str]] = []
    monkeypatch.setattr(
        runtime.services.timelines,
        "post",
        lambda incident, key_id, account_id, asked_by: asked.append((incident, key_id, account_id)),
    )

    slack_requests.command(f"{leaked} timeline", user=RESPONDER)

    [report] = slack.wait_for(lambda s: s.channel_messages(ALERTS))
    runtime.services.reads.shutdown(wait=True)
    [(incident, key_id, account_id)] = asked
    assert (key_id, account_id) == (leaked, "123456789012")
    assert (incident.channel, incident.thread_ts) == (ALERTS, report["ts"])


def test_keycheck_joins_a_public_channel_it_is_not_in_to_answer(
    slack: SlackStandIn, slack_requests: SlackRequests, leaked: str
) -> None:
    channel = slack.add_channel("platform-team", members=[RESPONDER], bot_member=False)

    slack_requests.command(leaked, user=RESPONDER, channel=channel)

    [report] = slack.wait_for(lambda s: s.channel_messages(channel))
    assert leaked in messages_text([report])


def test_a_strangers_lookup_is_answered_only_to_them_and_spreads_nothing(
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    incident: Incident,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timelines: list[str] = []
    monkeypatch.setattr(
        runtime.services.timelines, "post", lambda *args: timelines.append(str(args))
    )
    random = slack.add_channel("random", members=[STRANGER], bot_member=False)
    sibling = create_realistic_key(runtime.services.sessions.client("iam"), incident.user_name)
    posted_before = len(slack.calls_to("chat.postMessage"))

    status, body = slack_requests.command(
        f"{incident.access_key_id} timeline", user=STRANGER, channel=random
    )

    [note] = slack.wait_for(lambda s: s.ephemerals(random))
    runtime.services.reads.shutdown(wait=True)
    assert status == 200
    text = note["text"]
    assert note["ephemeral_to"] == STRANGER
    assert "keycheck knows" in text and incident.id in text and "responders" in text
    for secret in (incident.user_name, sibling["AccessKeyId"], scenario.ATTACKER_IP):
        assert secret not in text and secret not in body
    assert len(slack.calls_to("chat.postMessage")) == posted_before
    assert slack.calls_to("conversations.join") == []
    assert slack.files() == [] and timelines == []


def test_a_strangers_mention_gets_the_limited_answer_privately(
    slack: SlackStandIn, slack_requests: SlackRequests, incident: Incident
) -> None:
    event = {
        "team_id": slack_requests.team_id,
        "api_app_id": "A0KEYCHECK",
        "type": "event_callback",
        "event_id": "Ev0KEYCHECK2",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": STRANGER,
            "text": f"<@U0KEYCHECK> whose is {incident.access_key_id}?",
            "ts": f"{time.time():.6f}",
            "channel": incident.channel,
            "event_ts": f"{time.time():.6f}",
        },
    }

    slack_requests.post(json.dumps(event))

    [note] = slack.wait_for(lambda s: s.ephemerals(incident.channel))
    assert note["ephemeral_to"] == STRANGER and "keycheck knows" in note["text"]
    assert incident.user_name not in note["text"]
    assert len(slack.channel_messages(ALERTS)) == 1
