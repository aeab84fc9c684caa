"""`keycheck contain`: the plan, the confirmation, and the same action log as Slack."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.cli.main import main
from bot.models import ActionKind, ActionState
from bot.store import SqliteStore
from tests.support.aws import seed_leaked_user

USER = "app-integration-user"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keycheck.sqlite3"
    monkeypatch.setenv("KEYCHECK_STORE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return path


@pytest.fixture
def iam(aws: boto3.Session) -> Any:
    return aws.client("iam")


@pytest.fixture
def key(iam: Any) -> str:
    return str(seed_leaked_user(iam)[1]["AccessKeyId"])


def key_status(iam: Any) -> str:
    return str(iam.list_access_keys(UserName=USER)["AccessKeyMetadata"][0]["Status"])


def actions(db: Path) -> list[Any]:
    store = SqliteStore(db)
    try:
        return store.actions_for("")
    finally:
        store.close()


def test_dry_run_prints_the_plan_and_changes_nothing(
    db: Path, iam: Any, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contain", key, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"1. Set access key `{key}` of IAM user `{USER}`" in out
    assert "2. Put inline policy `keycheck-deny-all` (Deny * on *)" in out
    assert '"aws:TokenIssueTime"' in out
    assert out.rstrip().endswith("Dry run: nothing was changed.")
    assert key_status(iam) == "Active"
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == []
    assert not db.exists() or actions(db) == []


def test_contain_all_with_yes_writes_the_action_log(
    db: Path, iam: Any, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contain", key, "--yes", "--reason", "pasted in a public gist"]) == 0
    assert key_status(iam) == "Inactive"
    names = sorted(iam.list_user_policies(UserName=USER)["PolicyNames"])
    assert names == ["keycheck-deny-all", "keycheck-revoke-sessions"]
    log = actions(db)
    assert [r.action for r in log] == [
        ActionKind.CONTAIN_ALL,
        ActionKind.DEACTIVATE_KEY,
        ActionKind.ATTACH_DENY_ALL,
        ActionKind.REVOKE_SESSIONS,
    ]
    assert {(r.actor, r.source, r.state) for r in log} == {("cli:alice", "cli", ActionState.DONE)}
    assert log[0].reason == "pasted in a public gist"
    out = capsys.readouterr().out
    assert f"undo with `keycheck undo {log[0].id}`" in out
    revoke = iam.get_user_policy(UserName=USER, PolicyName="keycheck-revoke-sessions")
    assert json.dumps(revoke["PolicyDocument"]) == json.dumps(log[3].after["document"])


def test_one_flag_runs_only_that_action(db: Path, iam: Any, key: str) -> None:
    assert main(["contain", key, "--deactivate", "--yes"]) == 0
    assert key_status(iam) == "Inactive"
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == []
    assert [r.action for r in actions(db)] == [ActionKind.DEACTIVATE_KEY]


def test_a_script_without_yes_is_refused(
    db: Path, iam: Any, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contain", key]) == 2
    assert "Refusing to change IAM without a confirmation" in capsys.readouterr().err
    assert key_status(iam) == "Active"


def test_a_person_at_a_terminal_confirms(
    db: Path, iam: Any, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["contain", key, "--deny-all"]) == 1
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == []
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["contain", key, "--deny-all"]) == 0
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == ["keycheck-deny-all"]


def test_asking_twice_changes_nothing_the_second_time(
    db: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contain", key, "--deactivate", "--yes"]) == 0
    assert main(["contain", key, "--deactivate", "--yes"]) == 0
    assert "Already done by cli:alice" in capsys.readouterr().out
    assert len(actions(db)) == 1
