"""Subscriptions are confirmed through the SNS API, and only to topics on the allowlist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from bot.alerts import sns_message
from bot.errors import BadEnvelope, ForgedMessage
from bot.ingest.subscription import confirm

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

Load = Callable[[str], dict[str, Any]]


@pytest.fixture
def sns() -> Iterator[SNSClient]:
    with mock_aws():
        yield boto3.client("sns", region_name="us-east-1")


def test_allowed_topic_is_confirmed_with_its_token(sns: SNSClient, load_event: Load) -> None:
    topic = sns.create_topic(Name="keycheck-alerts")["TopicArn"]
    message = sns_message.read(load_event("sns_subscription_confirmation.json"))

    arn = confirm(message, sns, [topic])

    assert arn.startswith(f"{topic}:")
    assert message.region == "us-east-1"


def test_topic_off_the_allowlist_is_never_confirmed(sns: SNSClient, load_event: Load) -> None:
    message = sns_message.read(load_event("sns_subscription_confirmation.json"))

    with pytest.raises(ForgedMessage, match="not on the allowlist"):
        confirm(message, sns, ["arn:aws:sns:us-east-1:123456789012:another-topic"])


def test_a_notification_is_not_a_subscription(sns: SNSClient, load_event: Load) -> None:
    message = sns_message.read(load_event("sns_text_message.json"))

    with pytest.raises(BadEnvelope, match="not a subscription"):
        confirm(message, sns, [message.topic_arn])
