"""SQLite schema, as an ordered list of migrations applied once each on open."""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        status TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT '',
        thread_ts TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL
    );
    CREATE INDEX incidents_subject ON incidents (account_id, subject, status);
    CREATE INDEX incidents_thread ON incidents (channel, thread_ts);
    CREATE TABLE alerts (
        dedup_key TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        received_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX alerts_incident ON alerts (incident_id, received_at);
    CREATE TABLE actions (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        incident_id TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX actions_incident ON actions (incident_id, requested_at);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    """,
    """
    ALTER TABLE alerts ADD COLUMN posted INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX alerts_unposted ON alerts (posted, received_at);
    """,
    """
    CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
    """,
    """
    CREATE TABLE watches (id TEXT PRIMARY KEY, ended INTEGER NOT NULL, cutoff TEXT NOT NULL,
        data TEXT NOT NULL);
    CREATE INDEX watches_active ON watches (ended, cutoff);
    """,
    """
    ALTER TABLE alerts ADD COLUMN posting_since REAL NOT NULL DEFAULT 0;
    """,
)


def statements(script: str) -> list[str]:
    """A script's statements one by one: executescript would commit the open transaction."""
    found, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip())
            pending = ""
    return found


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen; return its schema version.

    Several processes may open one new file at once (the Procfile's web and worker): the
    version is read and every migration applied under one write lock (BEGIN IMMEDIATE), so
    the second process waits, then finds the work done. `conn` must be in autocommit mode.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        for script in MIGRATIONS[version:]:
            for statement in statements(script):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return len(MIGRATIONS)
