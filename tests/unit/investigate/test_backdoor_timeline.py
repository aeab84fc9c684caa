"""The timeline follows the keys the attacker made, and reads back from IAM what it left.

LookupEvents from the stand-in, IAM from moto, and the attack of tests/support/backdoor.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

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
from tests.support.backdoor import ADMIN_POLICY, Backdoor, attack_records, seed_backdoor
from tests.unit.analysis.support import ACCOUNT, KEY, T0, cloudtrail_standin


@pytest.fixture
def backdoor(aws: boto3.Session) -> Backdoor:
    return seed_backdoor(aws.client("iam"))


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
