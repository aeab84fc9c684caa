"""The timeline service: every region in parallel, every minted key, every failure reported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest

from bot.analysis.report import RegionProgress
from bot.analysis.tagging import AnalysisConfig
from bot.aws.ratelimit import BucketRegistry
from bot.aws.sessions import Sessions
from bot.errors import AccountUnreachable
from bot.investigate.timeline import build_timeline
from bot.models import RuleId
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.unit.analysis.support import (
    ACCOUNT,
    KEY,
    T0,
    as_role,
    assume_role,
    cloudtrail_standin,
    record,
)

REGIONS = ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"]
ASIA = "ASIAPOIUYTREWQLKJHGF"
ASIA2 = "ASIAMNBVCXZLKJHGFDSA"
OTHER_ACCOUNT = "210987654321"
ROLE_B = f"arn:aws:iam::{OTHER_ACCOUNT}:role/deploy"
WINDOW = {"start": T0 - timedelta(days=30), "end": T0 + timedelta(days=1)}


class AccountSessions(Sessions):
    """One set of static credentials per account, so the stand-in can tell accounts apart."""

    def __init__(self, unreachable: frozenset[str] = frozenset()) -> None:
        super().__init__(region="us-east-1")
        self.unreachable = unreachable

    def session(self, account_id: str = "") -> boto3.Session:
        if account_id in self.unreachable:
            raise AccountUnreachable(f"Cannot reach account {account_id}: no responder role")
        return boto3.Session(
            aws_access_key_id=f"AKIAACCOUNT{account_id or 'OWN'}",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch, now=lambda: T0 + timedelta(days=2)) as running:
        for account in (ACCOUNT, OTHER_ACCOUNT):
            running.map_credentials(f"AKIAACCOUNT{account}", account)
        yield running


def timeline(**kwargs: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "config": AnalysisConfig(),
        "regions": REGIONS,
        "buckets": BucketRegistry(),
        **WINDOW,
    }
    options.update(kwargs)
    sessions = options.pop("sessions", AccountSessions())
    return build_timeline(sessions, KEY, ACCOUNT, **options)  # type: ignore[arg-type]


def test_every_region_is_read_in_parallel_and_merged_in_time_order(
    standin: CloudTrailStandIn,
) -> None:
    for offset, region in enumerate(REGIONS):
        standin.add_records(
            region,
            [
                record("ListUsers", region=region, when=T0 + timedelta(minutes=offset, seconds=i))
                for i in range(120)
            ],
            ACCOUNT,
        )
    seen: list[RegionProgress] = []
    report = timeline(progress=seen.append)
    assert len(report.events) == 480
    assert [e.time for e in report.events] == sorted(e.time for e in report.events)
    assert sorted(p.result.region for p in seen) == sorted(REGIONS)
    assert [p.done for p in seen] == [1, 2, 3, 4]
    assert {p.total for p in seen} == {4}
    # Pacing keeps under the limit; a loaded machine can still bunch two arrivals at the
    # server, and a throttle is retried, so allow one rather than time the machine.
    assert standin.throttled.total() <= 1
    spans = [
        (
            min(t for t, _, r, _ in standin.log if r == region),
            max(t for t, _, r, _ in standin.log if r == region),
        )
        for region in REGIONS
    ]
    # Read one after another, no two regions' spans would overlap; a thread that a loaded
    # machine starts late may miss the others, so ask only that some regions overlap.
    overlapping = [(a, b) for a in spans for b in spans if a < b and b[0] < a[1]]
    assert overlapping, "regions were read one after another"


def test_a_failed_region_is_reported_with_its_error_and_the_rest_still_arrive(
    standin: CloudTrailStandIn,
) -> None:
    standin.add_records("us-east-1", [record("ListUsers")], ACCOUNT)
    standin.fail_region(
        "ap-south-1",
        status=400,
        code="AccessDeniedException",
        message="explicit deny",
        account=ACCOUNT,
    )
    seen: list[RegionProgress] = []
    report = timeline(progress=seen.append)
    assert len(report.events) == 1
    (failed,) = report.failed
    assert (failed.region, failed.error) == ("ap-south-1", "AccessDeniedException: explicit deny")
    assert any(not p.result.ok and p.result.region == "ap-south-1" for p in seen)
    assert len(report.lookups) == 4


def test_keys_it_minted_are_followed_with_the_chain_that_reached_them(
    standin: CloudTrailStandIn,
) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/admin"
    standin.add_records(
        "us-east-1",
        [
            record("GetCallerIdentity", "sts"),
            assume_role(ASIA, role_arn=role, when=T0 + timedelta(minutes=1)),
        ],
        ACCOUNT,
    )
    standin.add_records(
        "eu-west-1",
        [
            record(
                "RunInstances",
                "ec2",
                key=ASIA,
                region="eu-west-1",
                when=T0 + timedelta(minutes=5),
                identity=as_role(ASIA, role, ACCOUNT),
            )
        ],
        ACCOUNT,
    )
    report = timeline()
    assert [(k.access_key_id, k.derived_from, k.role_arn) for k in report.keys] == [
        (ASIA, KEY, role)
    ]
    launched = next(e for e in report.events if e.event_name == "RunInstances")
    assert launched.chain == [KEY, ASIA]
    assert RuleId.IMPACT_COMPUTE in launched.tags
    assert {lookup.key_id for lookup in report.lookups} == {KEY, ASIA}
    assert len(report.lookups) == 8


def test_a_cross_account_role_is_followed_into_its_account(standin: CloudTrailStandIn) -> None:
    standin.add_records("us-east-1", [assume_role(ASIA, role_arn=ROLE_B)], ACCOUNT)
    standin.add_records(
        "us-east-1",
        [
            record(
                "CreateUser",
                key=ASIA,
                account=OTHER_ACCOUNT,
                when=T0 + timedelta(minutes=2),
                identity=as_role(ASIA, ROLE_B, OTHER_ACCOUNT),
            )
        ],
        OTHER_ACCOUNT,
    )
    report = timeline()
    backdoor = next(e for e in report.events if e.event_name == "CreateUser")
    assert backdoor.chain == [KEY, ASIA]
    assert report.keys[0].account_id == OTHER_ACCOUNT
    accounts = {(lookup.key_id, lookup.account_id) for lookup in report.lookups}
    assert (ASIA, OTHER_ACCOUNT) in accounts
    assert (ASIA, ACCOUNT) in accounts
    assert standin.request_count("us-east-1", OTHER_ACCOUNT) >= 1


def test_an_account_we_cannot_enter_is_reported_not_skipped(standin: CloudTrailStandIn) -> None:
    standin.add_records("us-east-1", [assume_role(ASIA, role_arn=ROLE_B)], ACCOUNT)
    report = timeline(sessions=AccountSessions(unreachable=frozenset({OTHER_ACCOUNT})))
    failed = [lookup for lookup in report.failed if lookup.account_id == OTHER_ACCOUNT]
    assert len(failed) == len(REGIONS)
    assert all("no responder role" in lookup.error for lookup in failed)


def test_following_stops_at_the_depth_but_the_deeper_key_is_still_named(
    standin: CloudTrailStandIn,
) -> None:
    standin.add_records(
        "us-east-1",
        [
            assume_role(ASIA),
            assume_role(ASIA2, key=ASIA, when=T0 + timedelta(minutes=1)),
            record("DeleteTrail", "cloudtrail", key=ASIA2, when=T0 + timedelta(minutes=2)),
        ],
        ACCOUNT,
    )
    report = timeline(depth=1)
    assert [k.access_key_id for k in report.keys] == [ASIA, ASIA2]
    assert {lookup.key_id for lookup in report.lookups} == {KEY, ASIA}
    assert "DeleteTrail" not in {e.event_name for e in report.events}


def test_the_account_s_enabled_regions_are_used_when_none_are_given(
    standin: CloudTrailStandIn, aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", standin.url)
    standin.add_records("eu-west-1", [record("ListUsers", region="eu-west-1")])
    report = build_timeline(
        Sessions(region="us-east-1"),
        KEY,
        "",
        config=AnalysisConfig(),
        buckets=BucketRegistry(),
        **WINDOW,
    )
    regions = {lookup.region for lookup in report.lookups}
    assert {"us-east-1", "eu-west-1", "ap-south-1"} <= regions
    assert [e.region for e in report.events] == ["eu-west-1"]
    assert report.failed == []
