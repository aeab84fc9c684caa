"""`keycheck undo`: what the action found is put back, and the undo is in the log too."""

from __future__ import annotations

import io
from pathlib import Path

import boto3
import pytest

from bot.cli.main import main
from bot.store import SqliteStore
from tests.support.aws import seed_leaked_user

USER = "app-integration-user"


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keycheck.sqlite3"
    monkeypatch.setenv("KEYCHECK_STORE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("LOGNAME", "bob")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return path


def test_undo_puts_everything_back(
    aws: boto3.Session, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = aws.client("iam")
    _, key = seed_leaked_user(iam)
    assert main(["contain", key["AccessKeyId"], "--yes"]) == 0
    store = SqliteStore(store_path)
    parent = store.actions_for("")[0]
    store.close()
    assert main(["undo", parent.id, "--yes", "--reason", "false positive"]) == 0
    assert iam.list_access_keys(UserName=USER)["AccessKeyMetadata"][0]["Status"] == "Active"
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == []
    assert "Undo on" in capsys.readouterr().out
    store = SqliteStore(store_path)
    undos = [r for r in store.actions_for("") if r.undo_of]
    store.close()
    assert {(r.actor, r.source) for r in undos} == {("cli:bob", "cli")}
    assert {r.reason for r in undos} == {"false positive"}


def test_undo_of_an_unknown_id_exits_2(
    aws: boto3.Session, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["undo", "act-nope", "--yes"]) == 2
    assert "No action `act-nope`" in capsys.readouterr().err


def test_undo_without_confirmation_is_refused(
    aws: boto3.Session, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = seed_leaked_user(aws.client("iam"))
    assert main(["contain", key["AccessKeyId"], "--deactivate", "--yes"]) == 0
    store = SqliteStore(store_path)
    action = store.actions_for("")[0]
    store.close()
    assert main(["undo", action.id]) == 2
    status = aws.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"][0]["Status"]
    assert status == "Inactive"
