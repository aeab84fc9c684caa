"""The incident as a responder lives it, over signed HTTP and the SQS worker, on the stand-ins.

A card; thirty repeats from thirty addresses (one digest, the counter right); Acknowledge;
StopLogging by the same key (posted though acknowledged, broadcast, the card retitled and
its phases moved on); AWS saying the key is exposed (the responder group called); the
overflow menu (a stranger refused as on a button); the Timeline while CloudTrail refuses
(the failure in the thread, nothing left loading); /keycheck from a private channel keycheck
is not in (the report still reaches the person). The transcript of the card before and
after, and the Slack calls the alerts cost, are printed (`pytest -s`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bot.models import Incident, IncidentStatus
from bot.runtime.process import Runtime
from bot.slack.blocks import SUMMARY_BUDGET, text_length
from bot.slack.ids import ActionId
from bot.slack.timeline_blocks import summary_message
from bot.standins import demo_scenario as scenario
from bot.standins.aws import create_alert_queue
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from bot.standins.slack_blocks import block_errors
from bot.standins.slack_requests import SlackRequests
from bot.standins.transcript import render_message
from tests.conftest import REPO, RESPONDER, STRANGER
from tests.e2e.conftest import (
    ACCOUNT,
    ALERTS,
    TOPIC,
    Responder,
    buttons,
    card_value,
    messages_text,
    replies,
    wait_replies,
)
from tests.support.cards import button_count
from tests.support.story import as_alert, call_record, repeat_record
from tests.unit.analysis.support import cloudtrail_standin
from tests.unit.slack.test_timeline_blocks import _huge_report

GROUP = "S0RESPONDERS"
REPEATS = 30
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

pytestmark = pytest.mark.settings(escalation_group=GROUP)


@pytest.fixture
def queue(aws: boto3.Session, runtime: Runtime) -> str:
    url = create_alert_queue(aws.client("sqs"))
    runtime.services.settings.sqs_queue_url = url
    return url


@pytest.fixture
def refusing_trail(
    monkeypatch: pytest.MonkeyPatch, aws: boto3.Session
) -> Iterator[CloudTrailStandIn]:
    """CloudTrail answering AccessDenied in every region the account has."""
    with cloudtrail_standin(monkeypatch) as standin:
        for region in aws.client("ec2").describe_regions()["Regions"]:
            standin.fail_region(
                region["RegionName"],
                status=400,
                code="AccessDeniedException",
                message="User is not authorized to perform: cloudtrail:LookupEvents",
            )
        yield standin


class Alerts:
    """Alerts into the queue, drained by the worker as in production."""

    def __init__(self, aws: boto3.Session, runtime: Runtime, queue: str) -> None:
        self.sqs, self.runtime, self.queue = aws.client("sqs"), runtime, queue

    def send(self, *bodies: str) -> int:
        for body in bodies:
            self.sqs.send_message(QueueUrl=self.queue, MessageBody=body)
        return self.runtime.worker(wait_seconds=0).drain()


def card_of(slack: SlackStandIn, incident: Incident) -> dict[str, Any]:
    return next(m for m in slack.channel_messages(ALERTS) if m["ts"] == incident.thread_ts)


def shown(message: dict[str, Any]) -> str:
    return "\n".join(render_message(message))


def choose(requests: SlackRequests, user: str, option: str, incident: Incident) -> tuple[int, str]:
    return requests.choose(
        option, user=user, channel=incident.channel, message_ts=incident.thread_ts
    )


def test_the_incident_story(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    queue: str,
    leaked: str,
    responder: Responder,
    slack_requests: SlackRequests,
    refusing_trail: CloudTrailStandIn,
) -> None:
    store, alerts = runtime.services.store, Alerts(aws, runtime, queue)
    alerts.send(as_alert(scenario.recon_records(ACCOUNT, leaked, T0)[0], TOPIC))
    found = store.find_incident(ACCOUNT, leaked)
    assert found is not None and found.thread_ts
    incident = found
    before = shown(card_of(slack, incident))
    posts_before = len(slack.calls_to("chat.postMessage"))

    # Thirty repeats from thirty addresses: counted, told once.
    calls_before = len(slack.calls)
    repeats = [
        as_alert(repeat_record(ACCOUNT, leaked, T0, n), TOPIC) for n in range(1, REPEATS + 1)
    ]
    assert alerts.send(*repeats) == REPEATS
    repeat_calls = len(slack.calls) - calls_before
    assert len(slack.calls_to("chat.postMessage")) - posts_before <= 3
    counted = store.get_incident(incident.id)
    assert counted is not None and counted.alert_count == REPEATS + 1
    [digest] = replies(slack, incident)
    assert f"{REPEATS} more GetCallerIdentity from {REPEATS} addresses since" in digest["text"]
    assert f"{REPEATS + 1} alerts" in shown(card_of(slack, incident))

    # Acknowledge, over signed HTTP: the modal, then the line in the thread.
    responder.click(ActionId.ACKNOWLEDGE, card_value(incident), incident)
    view = slack.wait_for(lambda s: [v for v in s.views() if "submit" in v])[0]
    responder.submit(view, reason="looking into it", snooze="1h")
    wait_replies(slack, incident, 2)
    acknowledged = store.get_incident(incident.id)
    assert acknowledged is not None and acknowledged.status is IncidentStatus.ACKNOWLEDGED
    card = slack.wait_for(lambda s: "Acknowledged" in shown(card_of(s, incident)) or None)

    # A repeat while acknowledged only counts; StopLogging by the same key is news.
    alerts.send(as_alert(repeat_record(ACCOUNT, leaked, T0, REPEATS + 1), TOPIC))
    assert len(replies(slack, incident)) == 2
    stop = call_record(
        ACCOUNT, leaked, T0 + timedelta(minutes=5), "cloudtrail.amazonaws.com", "StopLogging"
    )
    alerts.send(as_alert(stop, TOPIC))
    news = replies(slack, incident)[2]
    assert "StopLogging" in news["text"] and news["subtype"] == "thread_broadcast"
    assert news["ts"] in [m["ts"] for m in slack.channel_messages(ALERTS)]
    card = card_of(slack, incident)
    assert card["blocks"][0]["text"]["text"].endswith("Logging tampered with: StopLogging")
    assert "*Phases* Recon (32) → Defense evasion (1)" in json.dumps(card, ensure_ascii=False)

    # AWS says the key is exposed: critical, a step up, so the responders are called.
    alerts.send(scenario.sns_wrap(scenario.health_event(ACCOUNT, leaked, T0), TOPIC))
    called = replies(slack, incident)[3]
    assert called["text"].startswith(f"<!subteam^{GROUP}>")
    assert called["subtype"] == "thread_broadcast"

    # The overflow menu: a stranger's choice is refused as a press would be.
    card = card_of(slack, incident)
    steps = (ActionId.ATTACH_DENY_ALL, ActionId.REVOKE_SESSIONS, ActionId.DEACTIVATE_KEY)
    step = next(buttons(card)[s] for s in steps if buttons(card)[s].get("overflow"))
    assert button_count(card["blocks"]) <= 5
    refused_before = store.counters().get("auth.refused", 0)
    assert choose(slack_requests, STRANGER, step["option"], incident)[0] == 200
    notes = slack.wait_for(lambda s: s.ephemerals(ALERTS) or None)
    assert "responder" in messages_text(notes).lower()
    assert store.counters()["auth.refused"] == refused_before + 1
    views_before = len(slack.views())
    assert choose(slack_requests, RESPONDER, step["option"], incident)[0] == 200
    modal = slack.wait_for(lambda s: s.views()[views_before:] or None)
    assert leaked in json.dumps(modal)

    # The Timeline while CloudTrail refuses: the failure shows, nothing is left loading.
    responder.click(ActionId.TIMELINE, card_value(incident), incident)

    def settled(s: SlackStandIn) -> list[dict[str, Any]] | None:
        thread = replies(s, incident)
        text = messages_text(thread)
        timeline = [m for m in thread if "CloudTrail timeline" in json.dumps(m)]
        return thread if timeline and "⏳" not in text else None

    thread = slack.wait_for(settled, timeout=90)
    told = messages_text(thread)
    assert "AccessDenied" in told
    assert refusing_trail.request_count("us-east-1") >= 1

    after = shown(card_of(slack, incident))
    sent = 1 + REPEATS + 3
    print("\n--- the card after the first alert ---\n" + before)
    print(f"\n--- the card after {sent} alerts, acknowledged, a timeline asked for ---\n{after}")
    per_hundred = 100 * repeat_calls / REPEATS
    print(f"\nSlack calls for {REPEATS} repeats: {repeat_calls} ({per_hundred:.0f} per 100)")


FIXTURES = REPO / "tests" / "fixtures" / "alerts"
CALLS = (
    ("iam.amazonaws.com", "ListUsers"),
    ("iam.amazonaws.com", "CreateAccessKey"),
    ("iam.amazonaws.com", "CreateUser"),
    ("iam.amazonaws.com", "CreateLoginProfile"),
    ("cloudtrail.amazonaws.com", "StopLogging"),
    ("cloudtrail.amazonaws.com", "DeleteTrail"),
    ("s3.amazonaws.com", "PutBucketPolicy"),
    ("ec2.amazonaws.com", "RunInstances"),
    ("secretsmanager.amazonaws.com", "GetSecretValue"),
    ("iam.amazonaws.com", "AttachUserPolicy"),
)


def _stress_bodies(key: str) -> list[str]:
    """Sixty alerts: forty repeats from forty addresses, calls in every phase, GuardDuty,
    Health and an alarm (the fixtures' own keys open incidents of their own)."""
    bodies = [as_alert(repeat_record(ACCOUNT, key, T0, n), TOPIC) for n in range(1, 41)]
    bodies += [
        as_alert(call_record(ACCOUNT, key, T0 + timedelta(minutes=n), source, name), TOPIC)
        for n, (source, name) in enumerate(CALLS, start=1)
    ]
    bodies.append(scenario.sns_wrap(scenario.health_event(ACCOUNT, key, T0), TOPIC))
    for name in sorted(FIXTURES.glob("guardduty_*.json")) + sorted(FIXTURES.glob("health_*.json")):
        bodies.append(scenario.sns_wrap(json.loads(name.read_text()), TOPIC))
    bodies.append((FIXTURES / "sns_cloudwatch_alarm_access_denied.json").read_text())
    return bodies


def test_sixty_alerts_and_a_huge_timeline_stay_within_slacks_rules(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, queue: str, leaked: str
) -> None:
    alerts = Alerts(aws, runtime, queue)
    bodies = [as_alert(scenario.recon_records(ACCOUNT, leaked, T0)[0], TOPIC)]
    bodies += _stress_bodies(leaked)
    assert len(bodies) >= 60
    stored = alerts.send(*bodies)

    assert [c for c in slack.calls if c.error] == [], "Slack refused nothing"
    assert runtime.services.store.unposted_alerts() == []
    messages = [
        m for top in slack.channel_messages(ALERTS) for m in slack.thread(ALERTS, top["ts"])
    ]
    for message in messages:
        assert block_errors(message["blocks"]) == []
        assert text_length(message["blocks"]) <= SUMMARY_BUDGET
        assert button_count(message["blocks"]) <= 5
    found = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert found is not None and found.alert_count == 52
    card = card_of(slack, found)
    assert "Recon (41)" in json.dumps(card, ensure_ascii=False)

    calls = len([c for c in slack.calls if c.method.startswith(("chat.", "files."))])
    text, blocks = summary_message(_huge_report(), found.id)
    posted = runtime.services.messenger.post(ALERTS, text, blocks, thread_ts=found.thread_ts)
    assert posted and "CloudTrail us-east-1" in json.dumps(blocks)
    print(f"\nSlack calls for {stored} mixed alerts: {calls} ({100 * calls / stored:.0f} per 100)")


def test_keycheck_from_a_private_channel_the_bot_is_not_in_reaches_the_person(
    slack_requests: SlackRequests, slack: SlackStandIn, leaked: str
) -> None:
    """Posting there fails (keycheck cannot see the channel); the report still arrives."""
    private = slack.add_channel(
        "ir-private", members=[RESPONDER], bot_member=False, is_private=True
    )
    status, _ = slack_requests.command(leaked, user=RESPONDER, channel=private)
    assert status == 200

    def delivered(s: SlackStandIn) -> list[Any] | None:
        found = [c for c in s.calls if not c.error and leaked in json.dumps(c.params)]
        return found or None

    assert slack.wait_for(delivered, timeout=15)
