"""The action log's lookups: by key, by parent, and the compare-and-swap that settles races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.models import ActionKind, ActionRecord, ActionState
from bot.store import SqliteStore

T0 = datetime(2026, 5, 21, 12, 0, tzinfo=UTC)
KEY = "AKIAQWERTYUIOPASDFGH"


def record(n: int, **kw: Any) -> ActionRecord:
    fields: dict[str, Any] = {
        "id": f"act-{n}",
        "idempotency_key": f"k{n}",
        "action": ActionKind.DEACTIVATE_KEY,
        "actor": "U0ALICE",
        "target": KEY,
        "account_id": "123456789012",
        "requested_at": T0 + timedelta(seconds=n),
    }
    return ActionRecord.model_validate(fields | kw)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "keycheck.sqlite3")


def test_actions_for_a_key_in_one_account_oldest_first(store: SqliteStore) -> None:
    store.begin_action(record(2))
    store.begin_action(record(1))
    store.begin_action(record(3, account_id="210987654321"))
    store.begin_action(record(4, target="AKIAZZZZZZZZZZZZZZZZ"))
    found = store.actions_for_target("123456789012", KEY)
    assert [r.id for r in found] == ["act-1", "act-2"]
    assert store.actions_for_target("123456789012", "AKIA") == []


def test_steps_are_found_by_their_parent_in_order(store: SqliteStore) -> None:
    store.begin_action(record(1, action=ActionKind.CONTAIN_ALL))
    for n in (2, 3, 4):
        store.begin_action(record(n, parent_id="act-1"))
    store.begin_action(record(5))
    assert [r.id for r in store.child_actions("act-1")] == ["act-2", "act-3", "act-4"]
    assert store.child_actions("act-5") == []


def test_swap_writes_only_over_the_expected_state(store: SqliteStore) -> None:
    store.begin_action(record(1, state=ActionState.AWAITING_APPROVAL))
    approved = record(1, state=ActionState.REQUESTED, approved_by="U0BOB")
    assert store.swap_action(approved, ActionState.AWAITING_APPROVAL)
    assert not store.swap_action(record(1, state=ActionState.FAILED), ActionState.AWAITING_APPROVAL)
    stored = store.get_action("act-1")
    assert stored is not None
    assert (stored.state, stored.approved_by) == (ActionState.REQUESTED, "U0BOB")


def test_of_many_racing_approvers_exactly_one_wins(store: SqliteStore) -> None:
    store.begin_action(record(1, state=ActionState.AWAITING_APPROVAL))
    barrier = threading.Barrier(8)
    wins: list[str] = []

    def approve(approver: str) -> None:
        barrier.wait()
        mine = record(1, state=ActionState.REQUESTED, approved_by=approver)
        if store.swap_action(mine, ActionState.AWAITING_APPROVAL):
            wins.append(approver)

    threads = [threading.Thread(target=approve, args=(f"U{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
    stored = store.get_action("act-1")
    assert stored is not None
    assert stored.approved_by == wins[0]
