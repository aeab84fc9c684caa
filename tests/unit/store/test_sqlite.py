"""The SQLite store: incidents group alerts, duplicates count once, actions are idempotent."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Alert,
    AlertKind,
    IncidentStatus,
    Severity,
)
from bot.store import SqliteStore, open_store
from bot.store.migrations import MIGRATIONS

KEY = "AKIAQWERTYUIOPASDFGH"
T0 = datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)


def alert(dedup: str, *, key: str = KEY, account: str = "123456789012", **kw: object) -> Alert:
    fields: dict[str, object] = {
        "dedup_key": dedup,
        "kind": AlertKind.CLOUDTRAIL_API_CALL,
        "title": "GetCallerIdentity from outside known networks",
        "account_id": account,
        "access_key_id": key,
        "occurred_at": T0,
        "received_at": T0,
    }
    fields.update(kw)
    return Alert.model_validate(fields)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "state" / "keycheck.sqlite3")


def test_first_alert_opens_an_incident_and_later_ones_join_it(store: SqliteStore) -> None:
    first = store.record_alert(alert("m1"))
    later = store.record_alert(
        alert("m2", occurred_at=T0 + timedelta(minutes=2), severity=Severity.CRITICAL)
    )
    assert first.created and not first.duplicate
    assert not later.created and later.incident.id == first.incident.id
    assert later.incident.alert_count == 2
    assert later.incident.last_seen == T0 + timedelta(minutes=2)
    assert later.incident.severity is Severity.CRITICAL
    assert [a.dedup_key for a in store.alerts_for(first.incident.id)] == ["m1", "m2"]


def test_redelivery_is_recognised_and_counted_once(store: SqliteStore) -> None:
    store.record_alert(alert("m1"))
    again = store.record_alert(alert("m1"))
    assert again.duplicate and again.incident.alert_count == 1
    assert len(store.alerts_for(again.incident.id)) == 1


def test_incidents_are_per_account_and_key(store: SqliteStore) -> None:
    a = store.record_alert(alert("m1"))
    b = store.record_alert(alert("m2", account="210987654321"))
    c = store.record_alert(alert("m3", key="ASIAQWERTYUIOPASDFGH"))
    assert len({a.incident.id, b.incident.id, c.incident.id}) == 3


def test_a_closed_incident_is_not_reopened_by_a_new_alert(store: SqliteStore) -> None:
    first = store.record_alert(alert("m1")).incident
    first.status = IncidentStatus.CLOSED
    store.save_incident(first)
    assert store.record_alert(alert("m2")).created


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


def test_unposted_alerts_are_the_backlog_until_marked(store: SqliteStore) -> None:
    store.record_alert(alert("m1"))
    store.record_alert(alert("m2"))
    assert [a.dedup_key for a, _ in store.unposted_alerts()] == ["m1", "m2"]
    store.mark_posted("m1")
    assert [a.dedup_key for a, _ in store.unposted_alerts()] == ["m2"]


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


def record(key: str = "deactivate:1:AKIA:0") -> ActionRecord:
    return ActionRecord(
        id="act-1", idempotency_key=key, action=ActionKind.DEACTIVATE_KEY, actor="U1"
    )


def test_an_action_is_begun_once_per_idempotency_key(store: SqliteStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def begin(n: int) -> None:
        barrier.wait()
        row = record().model_copy(update={"id": f"act-{n}"})
        results.append(store.begin_action(row)[1])

    threads = [threading.Thread(target=begin, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1


def test_an_action_record_is_updated_in_place(store: SqliteStore) -> None:
    row, inserted = store.begin_action(record())
    assert inserted and store.get_action("act-1") == row
    row.state, row.after = ActionState.DONE, {"status": "Inactive"}
    store.save_action(row)
    saved = store.get_action("act-1")
    assert saved is not None and saved.state is ActionState.DONE
    assert saved.after == {"status": "Inactive"}


def test_counters_count(store: SqliteStore) -> None:
    assert store.bump("rejected.bad_json") == 1
    assert store.bump("rejected.bad_json", 2) == 3
    assert store.counters() == {"rejected.bad_json": 3}


def test_unknown_store_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported store URL"):
        open_store("postgres://x")
