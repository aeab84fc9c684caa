"""Finding 12: the store keeps no secret, in SQLite's file or DynamoDB's items, read raw.

User agents, error messages, raw alerts, modal reasons and action results are written
by attackers and typists; whatever they hold, the rows hold `[redacted]` in its place.
"""

from __future__ import annotations

import json
import sqlite3
import zlib

import pytest

from bot.models import ActionState, Incident
from bot.store import SqliteStore, Store
from bot.store.dynamodb import DynamoStore
from tests.unit.store.support import KEY, alert, record

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"


def raw_rows(store: Store, request: pytest.FixtureRequest) -> str:
    """Every byte of state the store keeps, as text: the SQLite file's dump, or every item."""
    if isinstance(store, SqliteStore):
        path = store._conn.execute("PRAGMA database_list").fetchone()[2]
        conn = sqlite3.connect(path)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()
    assert isinstance(store, DynamoStore)
    admin = request.getfixturevalue("_client")  # the table's owner, not the bot's role
    items = admin.scan(TableName=store._table)["Items"]
    packed = [zlib.decompress(i["dataz"]["B"]).decode() for i in items if "dataz" in i]
    return json.dumps(items, default=str) + "\n".join(packed)


def stored_with_secrets(store: Store) -> Incident:
    raw = json.dumps({"detail": {"userAgent": f"aws-cli/2.15 {SECRET}", "token": SLACK_TOKEN}})
    outcome = store.record_alert(
        alert(
            "ct:1",
            user_agent=f"aws-cli/2.15 {SECRET}",
            raw=raw,
            details={"note": f"typed {SLACK_TOKEN}"},
            title=f"GetCallerIdentity {SECRET}",
        )
    )
    store.save_incident(outcome.incident)
    action, _ = store.begin_action(record(1, reason=f"pasted {SLACK_TOKEN} by mistake"))
    store.save_action(
        action.model_copy(
            update={
                "state": ActionState.FAILED,
                "error": f"AccessDenied for secret {SECRET}",
                "after": {"output": SECRET},
            }
        )
    )
    return outcome.incident


def test_no_secret_reaches_the_stored_rows(store: Store, request: pytest.FixtureRequest) -> None:
    incident = stored_with_secrets(store)

    rows = raw_rows(store, request)
    assert SECRET not in rows
    assert SLACK_TOKEN not in rows
    assert KEY in rows, "the access key id responders need is kept"
    [read] = store.alerts_for(incident.id)
    assert read.user_agent == "aws-cli/2.15 [redacted]"
    assert json.loads(read.raw)["detail"]["token"] == "[redacted]"
    [action] = store.actions_for_target(read.account_id, KEY)
    assert action.reason == "pasted [redacted] by mistake"
    assert action.after == {"output": "[redacted]"}
