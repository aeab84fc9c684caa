"""The incident of the seed article, as data: a leaked key, its recon burst, and the alerts."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

USER = "app-integration-user"
ATTACKER_IP = "198.51.100.50"
ATTACKER_AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.kali.2024"
RECON: tuple[tuple[str, str, int, dict[str, str]], ...] = (
    ("sts.amazonaws.com", "GetCallerIdentity", 0, {}),
    ("iam.amazonaws.com", "ListUsers", 7, {}),
    ("iam.amazonaws.com", "ListAccessKeys", 14, {}),
    ("iam.amazonaws.com", "ListRoles", 21, {}),
    ("iam.amazonaws.com", "ListPolicies", 27, {}),
    ("iam.amazonaws.com", "GetUser", 35, {"userName": "admin-user"}),
)


def recon_records(account: str, key_id: str, start: datetime) -> list[dict[str, Any]]:
    """The recon sequence GetCallerIdentity → … → GetUser, as CloudTrail writes it."""
    return [
        _record(account, key_id, source, name, start + timedelta(seconds=offset), params)
        for source, name, offset, params in RECON
    ]


def _record(
    account: str,
    key_id: str,
    source: str,
    name: str,
    when: datetime,
    params: dict[str, Any],
) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAQRSTUVWXYZEXAMPLE",
            "arn": f"arn:aws:iam::{account}:user/{USER}",
            "accountId": account,
            "accessKeyId": key_id,
            "userName": USER,
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ATTACKER_IP,
        "userAgent": ATTACKER_AGENT,
        "requestParameters": params or None,
        "responseElements": None,
        "requestID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}{when}")),
        "eventID": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}{when}")),
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }


def eventbridge_event(record: dict[str, Any]) -> dict[str, Any]:
    """A CloudTrail record as an EventBridge rule delivers it."""
    service = record["eventSource"].split(".")[0]
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_OID, record["eventID"])),
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{service}",
        "account": record["recipientAccountId"],
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": record,
    }


def health_event(account: str, key_id: str, when: datetime) -> dict[str, Any]:
    """AWS Health's exposed-key notice: the 'irregular activity' email, as an event."""
    description = (
        "We have become aware that the AWS Access Key "
        f"{key_id}, belonging to IAM User {USER}, along with the corresponding "
        "Secret Key is publicly available online at "
        "https://github.com/example-org/integrations/blob/main/config.py."
    )
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"health{key_id}")),
        "detail-type": "AWS Health Event",
        "source": "aws.health",
        "account": account,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "global",
        "resources": [],
        "detail": {
            "eventArn": f"arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/{key_id}",
            "service": "RISK",
            "eventTypeCode": "AWS_RISK_CREDENTIALS_EXPOSED",
            "eventTypeCategory": "issue",
            "startTime": when.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "eventDescription": [{"language": "en_US", "latestDescription": description}],
            "affectedEntities": [{"entityValue": key_id}],
        },
    }


def sns_wrap(payload: dict[str, Any], topic_arn: str) -> str:
    """The SQS body SNS delivers when raw message delivery is off."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(payload, sort_keys=True))),
            "TopicArn": topic_arn,
            "Message": json.dumps(payload),
            "Timestamp": payload.get("time", ""),
            "SignatureVersion": "1",
            "Signature": "",
            "SigningCertURL": "",
            "UnsubscribeURL": "",
        }
    )
