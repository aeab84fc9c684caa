"""ConfirmSubscription against moto's SNS."""

from __future__ import annotations

import boto3
from moto import mock_aws

from bot.aws.sns import confirm_subscription


@mock_aws
def test_confirm_subscription_returns_the_subscription_arn() -> None:
    sns = boto3.client("sns", region_name="eu-west-1")
    topic = sns.create_topic(Name="keycheck-alerts")["TopicArn"]

    arn = confirm_subscription(sns, topic, "2336412f37fb687f5d51e6e2425dacbba2d0d1ac4c6c")

    assert arn.startswith(f"{topic}:")
    assert arn.split(":")[3] == "eu-west-1"
