"""Seeding moto like a real account: realistic key ids, the leaked user, the alert queue."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.keys import KEY_ID

SES_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*"}
    ],
}


def create_realistic_key(iam: Any, user_name: str, *, attempts: int = 200) -> dict[str, Any]:
    """A key whose id AWS could have issued: moto also draws 0, 1, 8 and 9, which AWS never does."""
    for _ in range(attempts):
        key: dict[str, Any] = iam.create_access_key(UserName=user_name)["AccessKey"]
        if KEY_ID.match(key["AccessKeyId"]):
            return key
        iam.delete_access_key(UserName=user_name, AccessKeyId=key["AccessKeyId"])
    raise RuntimeError("no realistic access key id after many attempts")


def seed_leaked_user(iam: Any, user_name: str) -> dict[str, Any]:
    """The seed's user: meant only to send email, with one access key that leaked."""
    iam.create_user(UserName=user_name, Tags=[{"Key": "team", "Value": "integrations"}])
    iam.put_user_policy(
        UserName=user_name, PolicyName="ses-send-only", PolicyDocument=json.dumps(SES_ONLY_POLICY)
    )
    return create_realistic_key(iam, user_name)


def create_alert_queue(sqs: Any, name: str = "keycheck-alerts") -> str:
    """The queue the detections feed, with a DLQ after three receives, as infra/ deploys it."""
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
    url: str = sqs.create_queue(
        QueueName=name, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "60"}
    )["QueueUrl"]
    return url
