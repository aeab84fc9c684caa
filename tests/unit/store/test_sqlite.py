"""What only the SQLite store has: a file that outlives the process, and schema migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import SqliteStore, open_store
from bot.store.migrations import MIGRATIONS
from tests.unit.store.support import KEY, alert


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    one = SqliteStore(path)
    incident = one.record_alert(alert("m1")).incident
    incident.channel, incident.thread_ts = "C0ALERTS", "1700000000.000100"
    one.save_incident(incident)
    one.close()
    two = open_store(f"sqlite:///{path}")
    assert two.find_incident_by_thread("C0ALERTS", "1700000000.000100") == incident
    assert two.find_incident("123456789012", KEY) == incident


def test_an_old_database_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO incidents VALUES ('inc-1', '1', 'k', 'open', '', '', ?)",
        ('{"id":"inc-1","account_id":"1","subject":"k","title":"t","severity":"low"}',),
    )
    conn.commit()
    conn.close()
    store = SqliteStore(path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.get_incident("inc-1") is not None
    outcome = store.record_alert(alert("m1", account="1", key="", user_name="k"))
    assert outcome.incident.id == "inc-1"
    assert store.unposted_alerts()[0][0].dedup_key == "m1"


def test_unknown_store_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported store URL"):
        open_store("postgres://x")
