"""Confirming an SNS subscription: only for allowed topics, only through the SNS API."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from bot.alerts.sns_message import SnsMessage
from bot.aws.sns import confirm_subscription
from bot.errors import BadEnvelope, ForgedMessage

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def confirm(message: SnsMessage, sns: SNSClient, allowed_topics: Collection[str]) -> str:
    """Confirm with the message's token; never by fetching its SubscribeURL, which anyone can set.

    sns must be a client in the topic's region (message.region). Returns the subscription ARN.
    """
    if message.type != "SubscriptionConfirmation":
        raise BadEnvelope(f"An SNS {message.type} is not a subscription to confirm.")
    if message.topic_arn not in allowed_topics:
        raise ForgedMessage(f"Topic {message.topic_arn[:200]} is not on the allowlist.")
    if not message.token:
        raise BadEnvelope("SNS SubscriptionConfirmation without a Token.")
    return confirm_subscription(sns, message.topic_arn, message.token)
