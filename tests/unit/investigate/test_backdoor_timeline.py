"""The timeline follows the keys the attacker made, and reads back from IAM what it left.

LookupEvents from the stand-in, IAM from moto: the leaked key makes a key for admin-user,
that key makes a backdoor user with a key of its own, and the backdoor's key grants it
AdministratorAccess and stops CloudTrail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from bot.analysis.footprint import FootprintKind
from bot.analysis.tagging import AnalysisConfig
from bot.aws.ratelimit import BucketRegistry
from bot.aws.sessions import Sessions
from bot.investigate.timeline import build_timeline
from bot.models import RuleId
from bot.slack.timeline_blocks import summary_message
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.unit.analysis.support import (
    ACCOUNT,
    KEY,
    T0,
    as_user,
    cloudtrail_standin,
    create_access_key,
    record,
)

ADMIN_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/everything"
EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Backdoor:
    """The keys moto issued: the one for admin-user, and the backdoor user's."""

    first: str
    second: str


@pytest.fixture
def backdoor(aws: boto3.Session) -> Backdoor:
    """What the attack left in IAM; admin-user's key has been deactivated since."""
    iam = aws.client("iam")
    for user in ("admin-user", "backdoor"):
        iam.create_user(UserName=user)
    first = iam.create_access_key(UserName="admin-user")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="backdoor")["AccessKey"]["AccessKeyId"]
    iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(EVERYTHING))
    iam.attach_user_policy(UserName="backdoor", PolicyArn=ADMIN_POLICY)
    iam.update_access_key(UserName="admin-user", AccessKeyId=first, Status="Inactive")
    return Backdoor(first, second)


def attack_records(keys: Backdoor, start: datetime = T0) -> list[dict[str, Any]]:
    admin, door = as_user(keys.first, "admin-user"), as_user(keys.second, "backdoor")
    return [
        create_access_key(keys.first, "admin-user", when=start + MINUTE),
        record(
            "CreateUser",
            key=keys.first,
            identity=admin,
            when=start + 2 * MINUTE,
            requestParameters={"userName": "backdoor"},
        ),
        create_access_key(
            keys.second, "backdoor", key=keys.first, identity=admin, when=start + 3 * MINUTE
        ),
        record(
            "AttachUserPolicy",
            key=keys.second,
            identity=door,
            when=start + 4 * MINUTE,
            requestParameters={"userName": "backdoor", "policyArn": ADMIN_POLICY},
        ),
        record(
            "StopLogging",
            "cloudtrail",
            key=keys.second,
            identity=door,
            when=start + 5 * MINUTE,
            requestParameters={"name": "management-events"},
        ),
    ]


@pytest.fixture
def trail(monkeypatch: pytest.MonkeyPatch, backdoor: Backdoor) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch, now=lambda: T0 + timedelta(days=2)) as standin:
        standin.add_records("us-east-1", attack_records(backdoor))
        yield standin


def test_the_backdoor_keys_are_followed_and_what_it_left_is_read_back(
    trail: CloudTrailStandIn, backdoor: Backdoor
) -> None:
    report = build_timeline(
        Sessions(region="us-east-1"),
        KEY,
        ACCOUNT,
        config=AnalysisConfig(),
        start=T0 - timedelta(days=1),
        end=T0 + timedelta(days=1),
        regions=["us-east-1"],
        buckets=BucketRegistry(),
    )
    assert [
        (k.access_key_id, k.derived_from, k.how, k.user_name, k.status) for k in report.keys
    ] == [
        (backdoor.first, KEY, "CreateAccessKey", "admin-user", "Inactive"),
        (backdoor.second, backdoor.first, "CreateAccessKey", "backdoor", "Active"),
    ]
    swept = {lookup.key_id for lookup in report.lookups}
    assert swept == {KEY, backdoor.first, backdoor.second}
    stop = next(e for e in report.events if e.event_name == "StopLogging")
    assert stop.chain == [KEY, backdoor.first, backdoor.second]
    assert RuleId.DEFENSE_EVASION_LOGGING in stop.tags
    left = [(i.kind, i.target, i.detail, i.state) for i in report.footprint]
    assert left == [
        (FootprintKind.ACCESS_KEY, "admin-user", backdoor.first, "Inactive"),
        (FootprintKind.USER, "backdoor", "", "exists"),
        (FootprintKind.ACCESS_KEY, "backdoor", backdoor.second, "Active"),
        (FootprintKind.ATTACHED_POLICY, "backdoor", ADMIN_POLICY, "attached"),
    ]
    text = json.dumps(summary_message(report, "inc-1")[1], ensure_ascii=False)
    assert "for user `admin-user`" in text
    assert "now *Inactive*" in text
    assert "*Footprint* (4)" in text
    assert f"{ADMIN_POLICY} attached to user backdoor — now *attached*" in text
