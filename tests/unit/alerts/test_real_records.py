"""Real CloudTrail records from public projects, raw and wrapped as EventBridge events.

Stratus Red Team detonation logs (Apache-2.0), AWS documentation samples (MIT-0) and Panther's
rule tests and compromised-root scenario (Apache-2.0): see each folder's SOURCE.txt under
the shared data directory. No record may crash a parser; each is read as the event it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.alerts.parse import parse_body
from bot.domain.keys import KEY_ID
from bot.models import AlertKind

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
MAX_BYTES = 1 << 22


def _stratus() -> Iterator[dict[str, Any]]:
    for path in sorted((DATA / "stratus-red-team-detonation-logs").glob("*.json")):
        yield from json.loads(path.read_text())


def _aws_docs() -> Iterator[dict[str, Any]]:
    folder = DATA / "aws-docs-samples"
    for path in sorted([*folder.glob("events/*.json"), *folder.glob("repaired/*.json")]):
        yield from json.loads(path.read_text())["Records"]


def _panther() -> Iterator[dict[str, Any]]:
    folder = DATA / "panther-analysis"
    for line in (folder / "aws_cloudtrail_rule_tests.jsonl").read_text().splitlines():
        yield json.loads(line)["log"]
    yaml = pytest.importorskip("yaml")  # PyYAML arrives with moto's dependencies
    for path in sorted((folder / "test_scenarios").glob("*/*.yml")):
        yield from yaml.safe_load(path.read_text())["Logs"]


SOURCES = {"stratus": _stratus, "aws-docs": _aws_docs, "panther": _panther}


def _records(source: str) -> list[dict[str, Any]]:
    if not DATA.is_dir():
        pytest.skip(f"shared test data not found at {DATA}")
    return [json.loads(json.dumps(r, default=str)) for r in SOURCES[source]()]


def _is_cloudtrail(record: dict[str, Any]) -> bool:
    """A few of Panther's negative tests are not CloudTrail records (lowercased keys)."""
    return isinstance(record.get("eventName"), str) and bool(record["eventName"])


def _eventbridge(record: dict[str, Any], index: int) -> dict[str, Any]:
    source = str(record.get("eventSource", "unknown")).split(".")[0]
    return {
        "version": "0",
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{source}",
        "account": "123456789012",
        "time": str(record.get("eventTime", "")),
        "region": str(record.get("awsRegion", "")),
        "resources": [],
        "detail": record,
    }


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_record_wrapped_as_eventbridge_is_one_api_call_alert(source: str) -> None:
    records = _records(source)
    assert records

    for index, record in enumerate(records):
        [alert] = parse_body(json.dumps(_eventbridge(record, index)), max_bytes=MAX_BYTES)

        assert alert.title
        assert alert.dedup_key
        assert alert.raw
        if not _is_cloudtrail(record):
            assert alert.kind is AlertKind.UNRECOGNISED
            assert alert.title.startswith("Malformed EventBridge CloudTrail event")
            continue
        assert alert.kind is AlertKind.CLOUDTRAIL_API_CALL
        assert alert.event_name == record["eventName"]
        assert alert.access_key_id == "" or KEY_ID.match(alert.access_key_id)
        assert alert.dedup_key.startswith("cloudtrail:")


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_all_records_as_one_batch_are_one_alert_each(source: str) -> None:
    records = _records(source)

    alerts = parse_body(json.dumps({"Records": records}), max_bytes=MAX_BYTES)

    assert len(alerts) == len(records)
    for alert, record in zip(alerts, records, strict=True):
        if _is_cloudtrail(record):
            assert alert.kind is AlertKind.CLOUDTRAIL_RECORD
            assert alert.event_name == record["eventName"]
        else:
            assert alert.kind is AlertKind.UNRECOGNISED


def test_known_techniques_get_their_rule() -> None:
    by_name = {r["eventName"]: r for r in _records("stratus")}

    rules = {
        name: parse_body(json.dumps(by_name[name]), max_bytes=MAX_BYTES)[0].rule
        for name in ("StopLogging", "DeleteTrail", "CreateAccessKey", "GetCallerIdentity")
    }

    assert rules == {
        "StopLogging": "defense_evasion.logging",
        "DeleteTrail": "defense_evasion.logging",
        "CreateAccessKey": "persistence.access_key",
        "GetCallerIdentity": "recon.caller_identity",
    }


def test_panther_root_scenario_is_critical_root_usage() -> None:
    scenario = DATA / "panther-analysis" / "test_scenarios" / "compromised-root-creds"
    if not scenario.is_dir():
        pytest.skip("panther scenario not present")
    yaml = pytest.importorskip("yaml")
    logs = yaml.safe_load((scenario / "attacker_cloudtrail.yml").read_text())["Logs"]
    root = [r for r in logs if r["userIdentity"]["type"] == "Root"]

    alerts = parse_body(json.dumps({"Records": root}, default=str), max_bytes=MAX_BYTES)

    assert alerts
    assert {a.rule for a in alerts} == {"root.usage"}
    assert {a.severity.value for a in alerts} == {"critical"}
    assert {a.source_ip for a in alerts} == {"92.55.146.245"}
