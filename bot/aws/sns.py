"""SNS: confirming the bot's HTTPS subscription to an alert topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.aws.retry import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


@aws_retry()
def confirm_subscription(sns: SNSClient, topic_arn: str, token: str) -> str:
    """ConfirmSubscription, requiring signed requests to unsubscribe us later."""
    response = sns.confirm_subscription(
        TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe="true"
    )
    return response.get("SubscriptionArn", "")
