"""A metric-filter alarm carries no detail; keycheck looks up the events and shows who and where."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3

from bot.runtime.process import Runtime
from bot.standins.aws import create_alert_queue, seed_leaked_user
from bot.standins.slack import SlackStandIn

ACCOUNT = "123456789012"
LOG_GROUP = "aws-cloudtrail-logs"
PATTERN = '{ ($.errorCode = "AccessDenied") || ($.errorCode = "*UnauthorizedOperation") }'


def denied_record(key_id: str, when: datetime) -> dict[str, object]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/app-integration-user",
            "accountId": ACCOUNT,
            "accessKeyId": key_id,
            "userName": "app-integration-user",
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "iam.amazonaws.com",
        "eventName": "ListRoles",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.50",
        "userAgent": "aws-cli/2.15.30",
        "errorCode": "AccessDenied",
        "errorMessage": "User is not authorized to perform: iam:ListRoles",
        "eventID": "0f3c2b1a-1111-4222-8333-944455556666",
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    }


def alarm_message(changed: datetime) -> str:
    alarm = {
        "AlarmName": "keycheck-access-denied",
        "AWSAccountId": ACCOUNT,
        "NewStateValue": "ALARM",
        "OldStateValue": "OK",
        "NewStateReason": "Threshold Crossed",
        "StateChangeTime": changed.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "Region": "US East (N. Virginia)",
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:keycheck-access-denied",
        "Trigger": {
            "MetricName": "AccessDenied",
            "Namespace": "keycheck",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 0.0,
        },
    }
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "5d1c3c0e-aaaa-4bbb-8ccc-1234567890ab",
            "TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts",
            "Message": json.dumps(alarm),
            "Timestamp": changed.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }
    )


def test_the_card_of_an_alarm_names_the_key_and_ip_found_in_the_logs(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn
) -> None:
    key_id = seed_leaked_user(aws.client("iam"), "app-integration-user")["AccessKeyId"]
    now = datetime.now(UTC).replace(microsecond=0)
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName="cloudtrail")
    logs.put_metric_filter(
        logGroupName=LOG_GROUP,
        filterName="keycheck-access-denied",
        filterPattern=PATTERN,
        metricTransformations=[
            {"metricName": "AccessDenied", "metricNamespace": "keycheck", "metricValue": "1"}
        ],
    )
    happened = now - timedelta(minutes=2)
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName="cloudtrail",
        logEvents=[
            {
                "timestamp": int(happened.timestamp() * 1000),
                "message": json.dumps(denied_record(key_id, happened)),
            }
        ],
    )
    runtime.services.settings.cloudtrail_log_group = LOG_GROUP
    queue = create_alert_queue(aws.client("sqs"))
    runtime.services.settings.sqs_queue_url = queue
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody=alarm_message(now))

    assert runtime.worker(wait_seconds=0).drain() == 1

    [card] = slack.channel_messages("C0ALERTS")
    text = json.dumps(card["blocks"])
    assert key_id in text and "198.51.100.50" in text and "ListRoles" in text
    assert runtime.services.store.find_incident(ACCOUNT, key_id) is not None


def test_without_a_log_group_the_alarm_still_posts_and_says_what_to_set(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn
) -> None:
    runtime.ingest.handle(alarm_message(datetime.now(UTC)))
    [card] = slack.channel_messages("C0ALERTS")
    assert "KEYCHECK_CLOUDTRAIL_LOG_GROUP" in json.dumps(card)
