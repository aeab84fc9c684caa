"""TimelinePoster: what reaches the incident's thread, the evidence bucket, and when it fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.errors import AccountUnreachable, AlreadyRunning
from bot.investigate.post import TimelinePoster
from bot.models import Incident, Severity
from bot.slack.messenger import ChannelPacer, Messenger, make_client
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from bot.store import open_store
from tests.conftest import SHARED_DATA
from tests.unit.analysis.support import ACCOUNT, KEY, assume_role, cloudtrail_standin, record

NOW = datetime.now(UTC).replace(microsecond=0)
ASIA = "ASIAPOIUYTREWQLKJHGF"
SEED = ("GetCallerIdentity", "ListUsers", "ListAccessKeys", "ListRoles", "ListPolicies", "GetUser")
CHANNEL = "C0ALERTS"


@pytest.fixture
def cloudtrail(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        start = NOW - timedelta(days=1)
        records = [
            record(
                name,
                "sts" if name == "GetCallerIdentity" else "iam",
                when=start + timedelta(seconds=7 * i),
            )
            for i, name in enumerate(SEED)
        ]
        records.append(assume_role(ASIA, when=start + timedelta(minutes=2)))
        standin.add_records("us-east-1", records)
        standin.add_records(
            "eu-west-1",
            [
                record(
                    "RunInstances",
                    "ec2",
                    key=ASIA,
                    region="eu-west-1",
                    when=start + timedelta(minutes=5),
                )
            ],
        )
        standin.fail_region(
            "ap-south-1", status=400, code="AccessDeniedException", message="SCP denies ap-south-1"
        )
        yield standin


@pytest.fixture
def poster(slack: SlackStandIn, aws: boto3.Session, tmp_path: Path) -> TimelinePoster:
    settings = Settings(
        _env_file=None,
        slack_bot_token=slack.token,
        slack_api_url=slack.url,
        store_url=f"sqlite:///{tmp_path / 'keycheck.sqlite3'}",
        known_cidrs=["203.0.113.0/24"],
        approved_regions=["us-east-1"],
        geoip_db=SHARED_DATA / "maxmind-test-db" / "GeoIP2-City-Test.mmdb",
        evidence_bucket="keycheck-evidence",
    )
    aws.client("s3").create_bucket(Bucket="keycheck-evidence")
    messenger = Messenger(make_client(slack.token, slack.url), pacer=ChannelPacer(0.0))
    return TimelinePoster(
        settings, Sessions(region="us-east-1"), messenger, open_store(settings.store_url)
    )


def _incident(poster: TimelinePoster) -> Incident:
    ts = poster.messenger.post(CHANNEL, f"🔴 Leaked key {KEY}")
    return Incident(
        id="inc-7",
        account_id=ACCOUNT,
        subject=KEY,
        title="Leaked key",
        severity=Severity.HIGH,
        access_key_id=KEY,
        channel=CHANNEL,
        thread_ts=ts,
    )


def test_the_timeline_lands_in_the_incident_thread(
    poster: TimelinePoster, slack: SlackStandIn, cloudtrail: CloudTrailStandIn
) -> None:
    incident = _incident(poster)
    report = poster.post(incident, KEY, ACCOUNT)

    thread = slack.thread(CHANNEL, incident.thread_ts)
    progress, files, summary, evidence = thread[1:]
    assert evidence["text"].startswith("Evidence copied")
    assert [f["name"] for f in files["files"]] == ["timeline-inc-7.csv", "timeline-inc-7.json"]
    assert progress["text"].startswith("⚠️ CloudTrail timeline of")
    assert "AccessDeniedException: SCP denies ap-south-1" in json.dumps(progress["blocks"])
    blocks = json.dumps(summary["blocks"], ensure_ascii=False)
    assert "recon.enumeration" in blocks
    assert "impact.compute" in blocks
    assert ASIA in blocks
    assert [f.name for f in slack.files()] == ["timeline-inc-7.csv", "timeline-inc-7.json"]
    assert len(report.events) == 8
    assert slack.calls_to("chat.update")


def test_the_files_hold_every_event_and_no_secret(
    poster: TimelinePoster, slack: SlackStandIn, cloudtrail: CloudTrailStandIn
) -> None:
    poster.post(_incident(poster), KEY, ACCOUNT)
    files = {f.name: f.content or b"" for f in slack.files()}
    body = json.loads(files["timeline-inc-7.json"])
    assert [e["event_name"] for e in body["events"]][:2] == ["GetCallerIdentity", "ListUsers"]
    assert body["keys"][0]["access_key_id"] == ASIA
    assert any(lookup["error"] for lookup in body["lookups"])
    for content in files.values():
        assert b"FwoGZXIvYXdzEXAMPLESESSIONTOKEN" not in content
    assert files["timeline-inc-7.csv"].count(b"\n") == 9


def test_the_evidence_is_copied_under_the_incident_id(
    poster: TimelinePoster, slack: SlackStandIn, cloudtrail: CloudTrailStandIn, aws: boto3.Session
) -> None:
    incident = _incident(poster)
    poster.post(incident, KEY, ACCOUNT)
    keys = [
        o["Key"] for o in aws.client("s3").list_objects_v2(Bucket="keycheck-evidence")["Contents"]
    ]
    assert sorted(keys) == ["inc-7/timeline-inc-7.csv", "inc-7/timeline-inc-7.json"]
    assert (
        "Evidence copied to s3://keycheck-evidence/inc-7/"
        in slack.thread(CHANNEL, incident.thread_ts)[-1]["text"]
    )


def test_an_account_that_cannot_be_reached_is_a_failed_lookup_in_the_thread(
    poster: TimelinePoster,
    slack: SlackStandIn,
    cloudtrail: CloudTrailStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreachable(account_id: str = "") -> boto3.Session:
        raise AccountUnreachable(f"Cannot reach account {account_id}: no responder role")

    monkeypatch.setattr(poster.sessions, "session", unreachable)
    incident = _incident(poster)
    report = poster.post(incident, KEY, ACCOUNT)
    assert report.events == []
    progress, _, summary, _ = slack.thread(CHANNEL, incident.thread_ts)[1:]
    assert progress["text"].startswith(f"⚠️ CloudTrail timeline of {KEY}: 0 events")
    assert "no responder role" in json.dumps(progress["blocks"])
    assert "the timeline is incomplete" in json.dumps(summary["blocks"])


def test_an_unexpected_failure_is_written_into_the_progress_message(
    poster: TimelinePoster,
    slack: SlackStandIn,
    cloudtrail: CloudTrailStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("bot.investigate.post.build_timeline", broken)
    incident = _incident(poster)
    with pytest.raises(RuntimeError):
        poster.post(incident, KEY, ACCOUNT)
    progress = slack.thread(CHANNEL, incident.thread_ts)[1]
    assert progress["text"] == f"✗ CloudTrail timeline of {KEY} failed: RuntimeError: disk full"
    blocks = json.dumps(progress["blocks"], ensure_ascii=False)
    assert "disk full" in blocks and "⏳" not in blocks and "listing" not in blocks


def test_a_second_press_while_a_fetch_runs_is_told_so_on_any_replica(
    poster: TimelinePoster, slack: SlackStandIn, cloudtrail: CloudTrailStandIn
) -> None:
    incident = _incident(poster)
    replica = TimelinePoster(poster.settings, poster.sessions, poster.messenger, poster.store)
    lease = f"timeline|{incident.id}|{KEY}"
    assert poster.store.acquire_lease(lease, "another-replica", 60)

    with pytest.raises(AlreadyRunning, match=f"timeline of {KEY} is already being fetched"):
        replica.post(incident, KEY, ACCOUNT)
    assert slack.thread(CHANNEL, incident.thread_ts)[1:] == []

    poster.store.release_lease(lease, "another-replica")
    replica.post(incident, KEY, ACCOUNT)
    assert [f.name for f in slack.files()] == ["timeline-inc-7.csv", "timeline-inc-7.json"]
    assert poster.store.acquire_lease(lease, "another-replica", 60)


def test_a_summary_slack_refuses_becomes_a_plain_one_after_the_files(
    poster: TimelinePoster, slack: SlackStandIn, cloudtrail: CloudTrailStandIn
) -> None:
    slack.refuse(
        "chat.postMessage",
        lambda params: "header" in str(params.get("blocks") or ""),
        "invalid_blocks",
    )
    slack.add_user("U0RESPONDER", "oncall", channels=[CHANNEL])
    incident = _incident(poster)

    poster.post(incident, KEY, ACCOUNT, asked_by="U0RESPONDER")

    thread = slack.thread(CHANNEL, incident.thread_ts)
    assert [f.name for f in slack.files()] == ["timeline-inc-7.csv", "timeline-inc-7.json"]
    plain = thread[-2]
    assert f"Timeline of {KEY}" in plain["text"] and not plain.get("blocks")
    assert "Findings: " in plain["text"] and "recon.enumeration" in plain["text"]
    [note] = slack.ephemerals(CHANNEL)
    assert note["ephemeral_to"] == "U0RESPONDER" and "invalid_blocks" in note["text"]
    methods = [c.method for c in slack.calls]
    last_upload = max(i for i, m in enumerate(methods) if m.startswith("files."))
    refused = next(i for i, c in enumerate(slack.calls) if c.error == "invalid_blocks")
    assert last_upload < refused
