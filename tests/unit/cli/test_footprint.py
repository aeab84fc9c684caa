"""`keycheck footprint`: what the chain left, read back, and contained from a shell."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.cli.main import main
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.support.backdoor import ADMIN_POLICY, Backdoor, attack_records, seed_backdoor
from tests.unit.analysis.support import ACCOUNT, KEY, cloudtrail_standin


@pytest.fixture
def backdoor(aws: boto3.Session) -> Backdoor:
    return seed_backdoor(aws.client("iam"))


@pytest.fixture
def trail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backdoor: Backdoor
) -> Iterator[CloudTrailStandIn]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KEYCHECK_STORE_URL", f"sqlite:///{tmp_path / 'keycheck.sqlite3'}")
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with cloudtrail_standin(monkeypatch) as standin:
        start = datetime.now(UTC) - timedelta(days=2)
        standin.add_records("us-east-1", attack_records(backdoor, start))
        yield standin


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["footprint", KEY, "--account", ACCOUNT, "--regions", "us-east-1", *args])
    return status, capsys.readouterr().out


def _iam_state(aws: boto3.Session, keys: Backdoor) -> dict[str, Any]:
    iam = aws.client("iam")
    listed = iam.list_access_keys(UserName="backdoor")["AccessKeyMetadata"]
    return {
        "key": next(k["Status"] for k in listed if k["AccessKeyId"] == keys.second),
        "denied": iam.list_user_policies(UserName="backdoor")["PolicyNames"],
        "attached": [
            p["PolicyArn"]
            for p in iam.list_attached_user_policies(UserName="backdoor")["AttachedPolicies"]
        ],
    }


def test_the_footprint_is_listed_with_its_state_and_a_dry_run_changes_nothing(
    trail: CloudTrailStandIn,
    backdoor: Backdoor,
    aws: boto3.Session,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _iam_state(aws, backdoor)
    status, out = run(capsys, "--contain", "--dry-run")
    assert status == 0
    assert f"access key {backdoor.second} of user backdoor  [Active]" in out
    assert f"{ADMIN_POLICY} attached to user backdoor  [attached]" in out
    assert f"Detach managed policy `{ADMIN_POLICY}`" in out
    assert "Dry run: nothing was changed." in out
    assert _iam_state(aws, backdoor) == before


def test_contain_then_undo_from_the_shell(
    trail: CloudTrailStandIn,
    backdoor: Backdoor,
    aws: boto3.Session,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _iam_state(aws, backdoor)
    status, out = run(capsys, "--contain", "--yes", "--reason", "backdoor")
    assert status == 0, out
    assert _iam_state(aws, backdoor) == {
        "key": "Inactive",
        "denied": ["keycheck-deny-all"],
        "attached": [],
    }
    action_id = out.split("keycheck undo ")[1].split("`")[0]
    assert main(["undo", action_id, "--yes"]) == 0
    assert _iam_state(aws, backdoor) == before
