"""CloudTrail records for tests, and the LookupEvents stand-in with boto3 pointed at it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.analysis.records import event_from_record
from bot.models import TimelineEvent
from bot.standins.cloudtrail import CloudTrailStandIn

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "timeline"
ACCOUNT = "123456789012"
KEY = "AKIAQWERTYUIOPASDFGH"
ATTACKER_IP = "198.51.100.50"
T0 = datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(
    name: str,
    source: str = "iam",
    *,
    key: str = KEY,
    when: datetime = T0,
    ip: str = ATTACKER_IP,
    region: str = "us-east-1",
    account: str = ACCOUNT,
    identity: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A CloudTrail record as S3 delivery writes it; `fields` override or add top-level keys."""
    body: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity
        or {
            "type": "IAMUser",
            "principalId": "AIDAQRSTUVWXYZEXAMPLE",
            "arn": f"arn:aws:iam::{account}:user/app-integration-user",
            "accountId": account,
            "accessKeyId": key,
            "userName": "app-integration-user",
        },
        "eventTime": stamp(when),
        "eventSource": f"{source}.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": None,
        "responseElements": None,
        "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}{key}{when}{region}{ip}")),
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
    }
    body.update(fields)
    return body


def assume_role(
    new_key: str,
    *,
    key: str = KEY,
    role_arn: str = f"arn:aws:iam::{ACCOUNT}:role/admin",
    when: datetime = T0,
    region: str = "us-east-1",
    account: str = ACCOUNT,
) -> dict[str, Any]:
    """An AssumeRole by `key` that returned `new_key` (with a session token, as AWS logs it)."""
    return record(
        "AssumeRole",
        "sts",
        key=key,
        when=when,
        region=region,
        account=account,
        requestParameters={"roleArn": role_arn, "roleSessionName": "pivot"},
        responseElements={
            "credentials": {
                "accessKeyId": new_key,
                "sessionToken": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
                "expiration": "Jun 1, 2026, 1:00:00 PM",
            },
            "assumedRoleUser": {"arn": f"{role_arn}/pivot".replace(":iam:", ":sts:")},
        },
    )


def as_role(new_key: str, role_arn: str, account: str) -> dict[str, Any]:
    """A userIdentity for calls made with an assumed role's temporary key."""
    role = role_arn.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLEROLEID:{role}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/pivot",
        "accountId": account,
        "accessKeyId": new_key,
        "sessionContext": {
            "attributes": {"creationDate": stamp(T0), "mfaAuthenticated": "false"},
            "sessionIssuer": {"type": "Role", "arn": role_arn, "userName": role},
        },
    }


def event(name: str, source: str = "iam", **kwargs: Any) -> TimelineEvent:
    return event_from_record(record(name, source, **kwargs))


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


@contextlib.contextmanager
def cloudtrail_standin(
    monkeypatch: pytest.MonkeyPatch, **options: Any
) -> Iterator[CloudTrailStandIn]:
    """The stand-in on a free port, and boto3 pointed at it by AWS_ENDPOINT_URL_CLOUDTRAIL."""
    with CloudTrailStandIn(**options) as standin:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", standin.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        yield standin


def as_user(key: str, user: str, account: str = ACCOUNT) -> dict[str, Any]:
    """A userIdentity for calls made with an IAM user's long-term key."""
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE" + user.upper().replace("-", "")[:10],
        "arn": f"arn:aws:iam::{account}:user/{user}",
        "accountId": account,
        "accessKeyId": key,
        "userName": user,
    }


def create_access_key(
    new_key: str,
    user: str,
    *,
    key: str = KEY,
    when: datetime = T0,
    account: str = ACCOUNT,
    identity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A CreateAccessKey by `key` for `user` that returned `new_key` (its secret scrubbed)."""
    return record(
        "CreateAccessKey",
        key=key,
        when=when,
        account=account,
        identity=identity,
        requestParameters={"userName": user},
        responseElements={
            "accessKey": {
                "accessKeyId": new_key,
                "status": "Active",
                "userName": user,
                "createDate": stamp(when),
            }
        },
    )
