"""Stolen instance credentials used from outside AWS to empty a bucket: both new rules fire."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.analysis.collection import Thresholds
from bot.analysis.context import NoSettings, analysis_config
from bot.analysis.networks import parse_networks
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.tagging import AnalysisConfig
from bot.errors import KeycheckError
from bot.models import RuleId, Severity
from tests.unit.analysis.support import ACCOUNT, T0, record

ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-instance"
SESSION_KEY = "ASIAINSTANCEROLE2345"
INSTANCE_IP = "3.5.140.10"  # inside AWS's 3.5.140.0/22 (an S3 prefix of ip-ranges.json)
ATTACKER_IP = "198.51.100.77"
SECOND = timedelta(seconds=1)
IP_RANGES = {
    "syncToken": "1700000000",
    "prefixes": [
        {"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2", "service": "AMAZON"},
        {"ip_prefix": "52.95.0.0/16", "region": "us-east-1", "service": "EC2"},
    ],
    "ipv6_prefixes": [{"ipv6_prefix": "2600:1f00::/24", "region": "us-east-1"}],
}


def _instance_identity() -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEWEB:i-0a1b2c3d4e5f67890",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/web-instance/i-0a1b2c3d4e5f67890",
        "accountId": ACCOUNT,
        "accessKeyId": SESSION_KEY,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": ROLE, "userName": "web-instance"},
            "ec2RoleDelivery": "2.0",
        },
    }


def _theft(instance_first: bool = True) -> list[dict[str, Any]]:
    """EC2 mints the session; the instance calls once; then an outside address lists and reads."""
    minted = record(
        "AssumeRole",
        "sts",
        key="",
        ip="ec2.amazonaws.com",
        identity={"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
        requestParameters={"roleArn": ROLE, "roleSessionName": "i-0a1b2c3d4e5f67890"},
        responseElements={"credentials": {"accessKeyId": SESSION_KEY}},
    )

    def call(name: str, at: int, ip: str = ATTACKER_IP, **params: Any) -> dict[str, Any]:
        return record(
            name,
            "s3",
            key=SESSION_KEY,
            ip=ip,
            when=T0 + at * SECOND,
            identity=_instance_identity(),
            requestParameters={"bucketName": "customer-exports", **params} if params else None,
        )

    own = [call("ListObjectsV2", 5, INSTANCE_IP, prefix="daily/")] if instance_first else []
    stolen = [call("ListBuckets", 60), call("ListObjectsV2", 61, prefix="")]
    stolen += [call("GetObject", 62 + n, key=f"exports/{n:03}.csv") for n in range(12)]
    return [minted, *own, *stolen]


def _config(**overrides: Any) -> AnalysisConfig:
    limits = Thresholds(reads=20, objects=10, window=timedelta(minutes=10))
    return AnalysisConfig(collection=limits, **overrides)


def test_the_theft_gets_both_rules_and_the_instances_own_call_neither() -> None:
    known = tuple(parse_networks(["3.5.140.0/22"]))
    result = analyze(map(event_from_record, _theft()), _config(known_networks=known))
    outside = [e for e in result.events if RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS in e.tags]
    assert {e.source_ip for e in outside} == {ATTACKER_IP}
    assert len(outside) == 14
    own = next(e for e in result.events if e.source_ip == INSTANCE_IP)
    assert RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS not in own.tags
    collected = [e for e in result.events if RuleId.COLLECTION_S3 in e.tags]
    assert {e.event_name for e in collected} == {"ListObjectsV2", "GetObject"}
    findings = {f.rule: f for f in result.findings}
    assert findings[RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS].technique == "T1552.005"
    assert findings[RuleId.COLLECTION_S3].technique == "T1530"
    assert findings[RuleId.COLLECTION_S3].severity is Severity.HIGH
    assert "customer-exports" in findings[RuleId.COLLECTION_S3].summary


def test_with_aws_ranges_even_a_session_only_the_attacker_used_is_caught(tmp_path: Path) -> None:
    ranges = tmp_path / "ip-ranges.json"
    ranges.write_text(json.dumps(IP_RANGES))
    config = analysis_config(NoSettings(aws_ip_ranges=ranges))
    assert config.aws_ranges is not None and INSTANCE_IP in config.aws_ranges
    result = analyze(map(event_from_record, _theft(instance_first=False)), config)
    outside = [e for e in result.events if RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS in e.tags]
    assert len(outside) == 14
    without = analyze(map(event_from_record, _theft(instance_first=False)), _config())
    assert not any(RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS in e.tags for e in without.events)


def test_a_few_reads_from_known_networks_are_no_burst() -> None:
    reads = [r for r in _theft() if r["eventName"] == "GetObject"][:5]
    result = analyze(map(event_from_record, reads), _config())
    assert not any(RuleId.COLLECTION_S3 in e.tags for e in result.events)


def test_a_collection_burst_from_known_networks_is_medium() -> None:
    known = tuple(parse_networks([f"{ATTACKER_IP}/32", "3.5.140.0/22"]))
    result = analyze(map(event_from_record, _theft()), _config(known_networks=known))
    finding = next(f for f in result.findings if f.rule is RuleId.COLLECTION_S3)
    assert finding.severity is Severity.MEDIUM


def test_an_unreadable_ip_ranges_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ranges.json"
    bad.write_text('{"prefixes": []}')
    with pytest.raises(KeycheckError, match="lists no prefixes"):
        analysis_config(NoSettings(aws_ip_ranges=bad))
