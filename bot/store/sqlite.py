"""The default store: one SQLite file, safe across threads of one process."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.models import ActionRecord, ActionState, Alert, Incident, IncidentStatus, Watch
from bot.store.base import (
    QUARANTINED,
    AlertOutcome,
    alert_json,
    holder_gone,
    read_alert,
    stored_json,
)
from bot.store.migrations import migrate

BUSY_SECONDS = 5.0
# `alerts.posted`: 0 waiting for Slack, 1 posted, -1 set aside because it cannot be read.
QUARANTINED_ROW = -1


def use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting out another process doing the same on a new file.

    The switch needs the file to itself and SQLite answers it "locked" at once rather than
    through the busy timeout, so it is retried here for as long as that timeout.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def utc(moment: datetime) -> str:
    """ISO 8601 in UTC, so that text order is time order whatever offset a time carried."""
    return moment.astimezone(UTC).isoformat()


def new_incident_id(alert: Alert) -> str:
    """Readable and unique: the day it started and a random tail."""
    return f"inc-{alert.received_at:%Y%m%d}-{secrets.token_hex(3)}"


def incident_for(alert: Alert) -> Incident:
    """The incident a first alert opens."""
    return Incident(
        id=new_incident_id(alert),
        account_id=alert.account_id,
        subject=alert.subject or "unrecognised",
        title=alert.title,
        severity=alert.severity,
        access_key_id=alert.access_key_id,
        user_name=alert.user_name,
        alert_count=1,
        first_seen=alert.occurred_at or alert.received_at,
        last_seen=alert.occurred_at or alert.received_at,
    )


class SqliteStore:
    """Store on SQLite. One connection behind a lock: writes are tiny and serialised anyway."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        # Before anything that locks: another process may be creating the same file.
        self._conn.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        use_wal(self._conn)
        self.schema_version = migrate(self._conn)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def record_alert(self, alert: Alert) -> AlertOutcome:
        data = alert_json(alert)
        with self._tx() as db:
            row = db.execute(
                "SELECT incident_id FROM alerts WHERE dedup_key = ?", (alert.dedup_key,)
            ).fetchone()
            if row:
                incident = self._incident(db, row[0])
                assert incident is not None
                return AlertOutcome(incident, created=False, duplicate=True)
            incident = self._open_incident(db, alert.account_id, alert.subject or "unrecognised")
            created = incident is None
            if incident is None:
                incident = incident_for(alert)
            else:
                seen = alert.occurred_at or alert.received_at
                incident.alert_count += 1
                incident.last_seen = max(incident.last_seen, seen)
                if alert.severity.rank > incident.severity.rank:
                    incident.severity = alert.severity
            self._write_incident(db, incident)
            db.execute(
                "INSERT INTO alerts (dedup_key, incident_id, received_at, data) VALUES (?,?,?,?)",
                (
                    alert.dedup_key,
                    incident.id,
                    utc(alert.received_at),
                    data,
                ),
            )
            return AlertOutcome(incident, created=created, duplicate=False)

    def get_incident(self, incident_id: str) -> Incident | None:
        with self._lock:
            return self._incident(self._conn, incident_id)

    def find_incident(self, account_id: str, subject: str) -> Incident | None:
        with self._lock:
            return self._open_incident(self._conn, account_id, subject)

    def find_incident_by_thread(self, channel: str, thread_ts: str) -> Incident | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM incidents WHERE channel = ? AND thread_ts = ?",
                (channel, thread_ts),
            ).fetchone()
        return Incident.model_validate_json(row[0]) if row else None

    def save_incident(self, incident: Incident) -> None:
        """Counters are the alert pipeline's: a stale copy from a handler never rolls them back."""
        with self._tx() as db:
            stored = self._incident(db, incident.id)
            if stored is not None:
                incident = incident.model_copy(
                    update={
                        "alert_count": stored.alert_count,
                        "first_seen": stored.first_seen,
                        "last_seen": stored.last_seen,
                        "severity": stored.severity,
                    }
                )
            self._write_incident(db, incident)

    def mark_posted(self, dedup_key: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE alerts SET posted = 1 WHERE dedup_key = ?", (dedup_key,))

    def unposted_alerts(self) -> list[tuple[Alert, Incident]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT a.dedup_key, a.data, i.data FROM alerts a"
                " JOIN incidents i ON i.id = a.incident_id"
                " WHERE a.posted = 0 ORDER BY a.received_at, a.rowid"
            )
            backlog = []
            for dedup_key, data, incident in rows.fetchall():
                alert = read_alert(data, dedup_key)
                if alert is None:
                    self._quarantine(dedup_key)
                    continue
                backlog.append((alert, Incident.model_validate_json(incident)))
        return backlog

    def _quarantine(self, dedup_key: str) -> None:
        with self._tx() as db:
            moved = db.execute(
                "UPDATE alerts SET posted = ? WHERE dedup_key = ? AND posted = 0",
                (QUARANTINED_ROW, dedup_key),
            ).rowcount
        if moved:
            self.bump(QUARANTINED)

    def alerts_for(self, incident_id: str) -> list[Alert]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT dedup_key, data FROM alerts WHERE incident_id = ?"
                " ORDER BY received_at, rowid",
                (incident_id,),
            ).fetchall()
        alerts = (read_alert(data, dedup_key) for dedup_key, data in rows)
        return [alert for alert in alerts if alert is not None]

    def begin_action(self, record: ActionRecord) -> tuple[ActionRecord, bool]:
        with self._tx() as db:
            row = db.execute(
                "SELECT data FROM actions WHERE idempotency_key = ?", (record.idempotency_key,)
            ).fetchone()
            if row:
                return ActionRecord.model_validate_json(row[0]), False
            db.execute(
                "INSERT INTO actions (id, idempotency_key, incident_id, requested_at, data)"
                " VALUES (?,?,?,?,?)",
                (
                    record.id,
                    record.idempotency_key,
                    record.incident_id,
                    utc(record.requested_at),
                    stored_json(record),
                ),
            )
            return record, True

    def save_action(self, record: ActionRecord) -> None:
        with self._tx() as db:
            db.execute("UPDATE actions SET data = ? WHERE id = ?", (stored_json(record), record.id))

    def get_action(self, action_id: str) -> ActionRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM actions WHERE id = ?", (action_id,)
            ).fetchone()
        return ActionRecord.model_validate_json(row[0]) if row else None

    def actions_for(self, incident_id: str) -> list[ActionRecord]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM actions WHERE incident_id = ? ORDER BY requested_at, rowid",
                (incident_id,),
            ).fetchall()
        return [ActionRecord.model_validate_json(r[0]) for r in rows]

    def actions_for_target(self, account_id: str, target: str) -> list[ActionRecord]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM actions WHERE json_extract(data, '$.account_id') = ?"
                " AND json_extract(data, '$.target') = ? ORDER BY requested_at, rowid",
                (account_id, target),
            ).fetchall()
        return [ActionRecord.model_validate_json(r[0]) for r in rows]

    def child_actions(self, parent_id: str) -> list[ActionRecord]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM actions WHERE json_extract(data, '$.parent_id') = ?"
                " ORDER BY requested_at, rowid",
                (parent_id,),
            ).fetchall()
        return [ActionRecord.model_validate_json(r[0]) for r in rows]

    def requested_actions(self) -> list[ActionRecord]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM actions WHERE json_extract(data, '$.state') = ?"
                " ORDER BY requested_at, rowid",
                (ActionState.REQUESTED.value,),
            ).fetchall()
        return [ActionRecord.model_validate_json(r[0]) for r in rows]

    def swap_action(self, record: ActionRecord, expected: ActionState) -> bool:
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE actions SET data = ? WHERE id = ? AND json_extract(data, '$.state') = ?",
                (stored_json(record), record.id, expected.value),
            )
            return cursor.rowcount == 1

    def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        now = time.time()
        with self._tx() as db:
            row = db.execute("SELECT owner, expires FROM leases WHERE name = ?", (name,)).fetchone()
            if row and row[0] != owner and row[1] > now and not holder_gone(row[0]):
                return False
            db.execute(
                "INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?) ON CONFLICT (name)"
                " DO UPDATE SET owner = excluded.owner, expires = excluded.expires",
                (name, owner, now + seconds),
            )
        return True

    def release_lease(self, name: str, owner: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def bump(self, counter: str, by: int = 1) -> int:
        with self._tx() as db:
            db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                (counter, by),
            )
            (value,) = db.execute(
                "SELECT value FROM counters WHERE name = ?", (counter,)
            ).fetchone()
        return int(value)

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self._conn.execute("SELECT name, value FROM counters").fetchall())

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def save_watch(self, watch: Watch) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO watches (id, ended, cutoff, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET ended = excluded.ended, data = excluded.data",
                (watch.id, int(watch.ended), utc(watch.cutoff), stored_json(watch)),
            )

    def get_watch(self, watch_id: str) -> Watch | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM watches WHERE id = ?", (watch_id,)
            ).fetchone()
        return Watch.model_validate_json(row[0]) if row else None

    def active_watches(self) -> list[Watch]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM watches WHERE ended = 0 ORDER BY cutoff, id"
            ).fetchall()
        return [Watch.model_validate_json(data) for (data,) in rows]

    def mark_posting(self, dedup_key: str, since: float) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE alerts SET posting_since = ? WHERE dedup_key = ? AND posted = 0",
                (since, dedup_key),
            )

    def posting_alerts(self) -> dict[str, float]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT dedup_key, posting_since FROM alerts WHERE posted = 0 AND posting_since > 0"
            ).fetchall()
        return {str(key): float(since) for key, since in rows}

    @staticmethod
    def _incident(db: sqlite3.Connection, incident_id: str) -> Incident | None:
        row = db.execute("SELECT data FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return Incident.model_validate_json(row[0]) if row else None

    @staticmethod
    def _open_incident(db: sqlite3.Connection, account_id: str, subject: str) -> Incident | None:
        row = db.execute(
            "SELECT data FROM incidents WHERE account_id = ? AND subject = ? AND status != ?"
            " ORDER BY rowid DESC LIMIT 1",
            (account_id, subject, IncidentStatus.CLOSED),
        ).fetchone()
        return Incident.model_validate_json(row[0]) if row else None

    @staticmethod
    def _write_incident(db: sqlite3.Connection, incident: Incident) -> None:
        db.execute(
            "INSERT INTO incidents (id, account_id, subject, status, channel, thread_ts, data)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET status = excluded.status,"
            " channel = excluded.channel, thread_ts = excluded.thread_ts, data = excluded.data",
            (
                incident.id,
                incident.account_id,
                incident.subject,
                incident.status,
                incident.channel,
                incident.thread_ts,
                stored_json(incident),
            ),
        )
