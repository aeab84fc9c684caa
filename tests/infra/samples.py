"""Sample records for the detection tests: real CloudTrail from ../shared/data, AWS's
documented GuardDuty and Health event shapes from fixtures/, and edits of both.

Sources (see each folder's SOURCE.txt): stratus-red-team-detonation-logs (Apache-2.0),
panther-analysis (Apache-2.0), aws-docs-samples (MIT-0).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED_DATA

if not SHARED_DATA.is_dir():
    pytest.skip(f"third-party test data not found at {SHARED_DATA}", allow_module_level=True)
FIXTURES = Path(__file__).resolve().parent / "fixtures"

Record = dict[str, Any]


@cache
def _stratus_file(name: str) -> tuple[Record, ...]:
    path = SHARED_DATA / "stratus-red-team-detonation-logs" / f"aws.{name}.json"
    return tuple(json.loads(path.read_text()))


def stratus(name: str, event_name: str, error: bool | None = None) -> list[Record]:
    """Stratus Red Team records of one technique with an eventName (and with/without error)."""
    return [
        copy.deepcopy(record)
        for record in _stratus_file(name)
        if record["eventName"] == event_name and (error is None or ("errorCode" in record) == error)
    ]


@cache
def _panther_tests() -> dict[tuple[str, str], Record]:
    path = SHARED_DATA / "panther-analysis" / "aws_cloudtrail_rule_tests.jsonl"
    rows = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return {(row["rule_id"], row["test_name"]): row["log"] for row in rows}


def panther(rule_id: str, test_name: str) -> Record:
    """The log of one of panther-analysis's rule tests (not its expected result)."""
    return copy.deepcopy(_panther_tests()[(rule_id, test_name)])


def root_scenario(side: str) -> list[Record]:
    """panther's compromised-root scenario: 'attacker' (92.55.146.245) or 'victim' records."""
    path = SHARED_DATA / "panther-analysis/test_scenarios/compromised-root-creds"
    return copy.deepcopy(yaml.safe_load((path / f"{side}_cloudtrail.yml").read_text())["Logs"])


def aws_docs(name: str) -> Record:
    """An example record from AWS's CloudTrail and IAM user guides."""
    folder = "repaired" if name.endswith("_success") else "events"
    path = SHARED_DATA / "aws-docs-samples" / folder / f"{name}.json"
    record: Record = json.loads(path.read_text())["Records"][0]
    return record


def fixture(name: str) -> Record:
    """A hand-checked event under fixtures/ (see fixtures/README.md for each shape's source)."""
    event: Record = json.loads((FIXTURES / f"{name}.json").read_text())
    return event


def edited(record: Record, **changes: Any) -> Record:
    """A copy with fields replaced; `a__b=v` sets record["a"]["b"], `v=DELETE` removes it."""
    result = copy.deepcopy(record)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = result
        for parent in parents:
            node = node.setdefault(parent, {})
        if value is DELETE:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return result


DELETE = object()


def envelope(record: Record) -> Record:
    """A CloudTrail record as EventBridge delivers it ("AWS API Call via CloudTrail")."""
    service = record["eventSource"].split(".")[0]
    sign_in = record.get("eventType") == "AwsConsoleSignIn"
    return {
        "version": "0",
        "id": record.get("eventID", "0"),
        "detail-type": "AWS Console Sign In via CloudTrail"
        if sign_in
        else "AWS API Call via CloudTrail",
        "source": f"aws.{service}",
        "account": record.get("recipientAccountId", "111122223333"),
        "time": record.get("eventTime", "2024-01-01T00:00:00Z"),
        "region": record.get("awsRegion", "us-east-1"),
        "resources": [],
        "detail": record,
    }
