"""`keycheck watch`: a contained key's watch, started or extended from a terminal, in the store."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.cli.main import main
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.store import SqliteStore
from tests.support.aws import seed_leaked_user
from tests.unit.analysis.support import cloudtrail_standin


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keycheck.sqlite3"
    monkeypatch.setenv("KEYCHECK_STORE_URL", f"sqlite:///{path}")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return path


@pytest.fixture
def key(aws: boto3.Session) -> str:
    return str(seed_leaked_user(aws.client("iam"))[1]["AccessKeyId"])


@pytest.fixture
def trail(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        yield standin


def watches(db: Path) -> list[Any]:
    store = SqliteStore(db)
    try:
        return store.active_watches()
    finally:
        store.close()


def test_containment_from_the_terminal_starts_a_watch_and_watch_extends_it(
    db: Path, key: str, trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contain", key, "--deactivate", "--yes", "--reason", "leaked"]) == 0
    [started] = watches(db)
    assert started.access_key_id == key and started.started_by.startswith("cli:")
    assert "us-east-1" in started.regions
    capsys.readouterr()

    assert main(["watch", key, "--minutes", "120", "--detach"]) == 0

    out = capsys.readouterr().out
    assert f"Watching {key} until" in out and "serve" in out
    [extended] = watches(db)
    assert extended.cutoff == started.cutoff and extended.until > started.until


def test_a_watch_of_no_sensible_length_is_refused(
    db: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["watch", key, "--minutes", "0", "--detach"]) == 2
    assert "between 1 and 1440" in capsys.readouterr().err
    assert watches(db) == []
