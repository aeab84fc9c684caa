"""Alerts into SQS and /sns come out as one card per incident, over real HTTP end to end."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.standins import demo_scenario as scenario
from bot.standins.aws import create_alert_queue, seed_leaked_user
from bot.standins.slack import SlackStandIn
from tests.support.cards import offered

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
T0 = datetime(2026, 11, 21, 12, 11, 58, tzinfo=UTC)


@pytest.fixture
def leaked(aws: boto3.Session) -> str:
    return str(seed_leaked_user(aws.client("iam"), scenario.USER)["AccessKeyId"])


@pytest.fixture
def queue(aws: boto3.Session, runtime: Runtime) -> str:
    url = create_alert_queue(aws.client("sqs"))
    runtime.services.settings.sqs_queue_url = url
    return url


def caller_identity_body(key_id: str) -> str:
    record = scenario.recon_records(ACCOUNT, key_id, T0)[0]
    return scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)


def button_values(message: dict[str, Any]) -> dict[str, ButtonValue]:
    """Every action the card offers, buttons and menu choices, with the value it carries."""
    return {
        action: ButtonValue.decode(element["value"])
        for action, element in offered(message.get("blocks", [])).items()
    }


def all_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", [])) + message.get("text", "")


def test_an_alert_in_sqs_becomes_a_card_with_key_user_ip_and_buttons(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, queue: str, leaked: str
) -> None:
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody=caller_identity_body(leaked))
    assert runtime.worker(wait_seconds=0).drain() == 1

    [card] = slack.channel_messages("C0ALERTS")
    text = all_text(card)
    assert leaked in text and scenario.USER in text and "198.51.100.50" in text
    assert "outside known networks" in text
    buttons = button_values(card)
    assert ActionId.DEACTIVATE_KEY in buttons and ActionId.TIMELINE in buttons
    assert buttons[ActionId.DEACTIVATE_KEY].k == leaked
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None and incident.thread_ts == card["ts"]
    assert buttons[ActionId.DEACTIVATE_KEY].i == incident.id
    left = aws.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_a_second_alert_goes_into_the_thread_and_moves_the_counter(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, queue: str, leaked: str
) -> None:
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=queue, MessageBody=caller_identity_body(leaked))
    runtime.worker(wait_seconds=0).drain()
    health = scenario.health_event(ACCOUNT, leaked, T0)
    sqs.send_message(QueueUrl=queue, MessageBody=scenario.sns_wrap(health, TOPIC))
    sqs.send_message(QueueUrl=queue, MessageBody=caller_identity_body(leaked))
    runtime.worker(wait_seconds=0).drain()

    [card, broadcast] = slack.channel_messages("C0ALERTS")
    thread = slack.thread("C0ALERTS", card["ts"])
    assert len(thread) == 2, "one reply for the Health notice; the redelivery is not news"
    assert broadcast["ts"] == thread[1]["ts"], "news shows in the channel too"
    assert "github.com/example-org" in all_text(thread[1])
    assert "2 alerts" in all_text(card)
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None and incident.alert_count == 2
    assert runtime.services.store.counters()["alerts.duplicate"] == 1


def test_a_poison_message_goes_to_the_dlq_and_never_blocks_the_rest(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, queue: str, leaked: str
) -> None:
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=queue, MessageBody="{not json")
    sqs.send_message(QueueUrl=queue, MessageBody=caller_identity_body(leaked))
    worker = runtime.worker(wait_seconds=0)
    for _ in range(4):
        worker.poll_once()
    dlq = sqs.get_queue_url(QueueName="keycheck-alerts-dlq")["QueueUrl"]
    moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in moved] == ["{not json"]
    assert len(slack.channel_messages("C0ALERTS")) == 1
    assert runtime.services.store.counters()["alerts.rejected"] >= 3


def test_a_forged_sns_post_is_refused_and_nothing_is_posted(
    served: str, runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    forged = json.loads(caller_identity_body(leaked))
    forged["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem"
    forged["Signature"] = "AAAA"
    status, body = post(f"{served}/sns", json.dumps(forged).encode())
    assert status == 403 and "refused" in body
    assert slack.calls_to("chat.postMessage") == []
    assert runtime.services.store.counters()["sns.rejected"] == 1
    assert runtime.services.store.find_incident(ACCOUNT, leaked) is None


def test_an_oversize_body_is_refused_before_it_is_read(served: str, runtime: Runtime) -> None:
    status, _ = post(f"{served}/sns", b"x" * (runtime.services.settings.max_body_bytes + 1))
    assert status == 413
    assert runtime.services.store.counters()["http.oversize"] == 1


def test_an_unsigned_slack_request_is_refused(served: str, slack: SlackStandIn) -> None:
    status, _ = post(f"{served}/slack/events", b"command=%2Fkeycheck&text=AKIA")
    assert status == 401
    assert slack.calls_to("chat.postMessage") == []


def post(url: str, data: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_get_caller_identity_from_a_known_network_is_not_an_alert(
    runtime: Runtime, slack: SlackStandIn
) -> None:
    runtime.services.settings.known_cidrs = ["198.51.100.48/28"]
    runtime.ingest.handle(caller_identity_body("AKIAQWERTYUIOPASDFGH"))
    assert slack.calls_to("chat.postMessage") == []
    assert runtime.services.store.counters()["alerts.known_network"] == 1
    runtime.services.settings.known_cidrs = ["198.51.100.64/28"]
    runtime.ingest.handle(caller_identity_body("AKIAQWERTYUIOPASDFGH"))
    assert len(slack.channel_messages("C0ALERTS")) == 1


def test_alerts_stored_while_slack_is_down_are_posted_when_it_is_back(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, queue: str, leaked: str
) -> None:
    slack.fail_next("chat.postMessage", status=500, times=3)  # the first try and 2 retries
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody=caller_identity_body(leaked))
    worker = runtime.worker(wait_seconds=0)
    assert worker.poll_once() == 1, "stored and deleted from SQS although Slack failed"
    assert slack.channel_messages("C0ALERTS") == []
    assert len(runtime.services.store.unposted_alerts()) == 1
    assert worker.poll_once() == 0, "nothing new in SQS; the backlog goes out"
    [card] = slack.channel_messages("C0ALERTS")
    assert leaked in json.dumps(card["blocks"])
    assert runtime.services.store.unposted_alerts() == []


def test_a_deeply_nested_alert_does_not_stop_later_cards(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, queue: str, leaked: str
) -> None:
    """Finding: a 250-level requestParameters was stored unreadable and blocked all delivery."""
    record = scenario.recon_records(ACCOUNT, leaked, T0)[0]
    parameters: dict[str, Any] = {}
    for _ in range(250):
        parameters = {"a": parameters}
    deep = {**record, "eventID": "0d9c6bd7-4c2e-4b8e-9a0e-7d5c2f1e3a4b"}
    deep["requestParameters"] = parameters
    sqs = aws.client("sqs")
    sqs.send_message(
        QueueUrl=queue, MessageBody=scenario.sns_wrap(scenario.eventbridge_event(deep), TOPIC)
    )
    worker = runtime.worker(wait_seconds=0)
    worker.drain()
    sqs.send_message(QueueUrl=queue, MessageBody=caller_identity_body("AKIAZZZZZZZZZZZZZZZZ"))
    worker.drain()

    cards = slack.channel_messages("C0ALERTS")
    assert any("AKIAZZZZZZZZZZZZZZZZ" in all_text(card) for card in cards)
    assert runtime.services.store.unposted_alerts() == []
