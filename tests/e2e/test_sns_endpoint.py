"""POST /sns over real HTTP: a signed notification becomes a card; a confirmation subscribes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest

from bot.config import Settings
from bot.runtime.httpserver import BackgroundServer
from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.slack import SlackStandIn
from tests.support.sns import SnsSigner

ACCOUNT = "123456789012"


@pytest.fixture
def signer() -> SnsSigner:
    return SnsSigner()


@pytest.fixture
def sns_url(settings: Settings, signer: SnsSigner) -> Iterator[tuple[str, Runtime]]:
    runtime = Runtime.build(settings, cert_fetcher=signer.fetch)
    with BackgroundServer(runtime.web) as server:
        yield f"{server.url}/sns", runtime
    runtime.close()


def unsigned(body: str) -> dict[str, object]:
    """An SNS envelope before signing: the signature fields are the signer's to fill."""
    message = json.loads(body)
    for field in ("Signature", "SigningCertURL", "SignatureVersion"):
        message.pop(field)
    return dict(message)


def post(url: str, message: dict[str, object]) -> tuple[int, str]:
    data = json.dumps(message).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_signed_notification_is_stored_then_posted(
    aws: boto3.Session,
    settings: Settings,
    signer: SnsSigner,
    sns_url: tuple[str, Runtime],
    slack: SlackStandIn,
) -> None:
    url, runtime = sns_url
    key_id = seed_leaked_user(aws.client("iam"), scenario.USER)["AccessKeyId"]
    record = scenario.recon_records(ACCOUNT, key_id, datetime.now(UTC))[0]
    topic = settings.sns_topic_arns[0]
    envelope = unsigned(scenario.sns_wrap(scenario.eventbridge_event(record), topic))
    status, body = post(url, signer.sign(envelope))
    assert status == 200, body
    card = slack.wait_for(lambda s: s.channel_messages("C0ALERTS"))[0]
    assert key_id in json.dumps(card["blocks"])
    assert runtime.services.store.find_incident(ACCOUNT, key_id) is not None


def test_a_notification_from_a_topic_not_allowed_is_refused(
    settings: Settings, signer: SnsSigner, sns_url: tuple[str, Runtime], slack: SlackStandIn
) -> None:
    url, runtime = sns_url
    record = scenario.recon_records(ACCOUNT, "AKIAQWERTYUIOPASDFGH", datetime.now(UTC))[0]
    other = f"arn:aws:sns:us-east-1:{ACCOUNT}:someone-elses-topic"
    envelope = unsigned(scenario.sns_wrap(scenario.eventbridge_event(record), other))
    status, body = post(url, signer.sign(envelope))
    assert status == 403
    assert "topic" in body
    assert slack.calls == []
    assert runtime.services.store.counters()["sns.rejected"] == 1


def test_a_subscription_is_confirmed_through_the_sns_api_for_allowed_topics(
    aws: boto3.Session, settings: Settings, signer: SnsSigner, sns_url: tuple[str, Runtime]
) -> None:
    url, _ = sns_url
    sns = aws.client("sns")
    topic = sns.create_topic(Name="keycheck-alerts")["TopicArn"]
    assert topic == settings.sns_topic_arns[0]
    message = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92" * 3,
        "TopicArn": topic,
        "Message": "You have chosen to subscribe to the topic.",
        "SubscribeURL": "https://attacker.example/confirm",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    status, body = post(url, signer.sign(message))
    assert status == 200, body
    assert "confirmed" in body
