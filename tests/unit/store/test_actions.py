"""The action log's lookups: by key, by parent, and the compare-and-swap that settles races."""

from __future__ import annotations

from bot.models import ActionKind, ActionState
from bot.store import Store
from tests.unit.store.support import ACCOUNT, KEY, race, record


def test_actions_for_a_key_in_one_account_oldest_first(store: Store) -> None:
    store.begin_action(record(2))
    store.begin_action(record(1))
    store.begin_action(record(3, account_id="210987654321"))
    store.begin_action(record(4, target="AKIAZZZZZZZZZZZZZZZZ"))
    found = store.actions_for_target(ACCOUNT, KEY)
    assert [r.id for r in found] == ["act-1", "act-2"]
    assert store.actions_for_target(ACCOUNT, "AKIA") == []


def test_the_history_shows_each_action_as_it_is_now(store: Store) -> None:
    row, _ = store.begin_action(record(1))
    row.state = ActionState.DONE
    store.save_action(row)
    assert [r.state for r in store.actions_for_target(ACCOUNT, KEY)] == [ActionState.DONE]


def test_an_incident_log_lists_its_actions_in_order(store: Store) -> None:
    store.begin_action(record(2, incident_id="inc-1"))
    store.begin_action(record(1, incident_id="inc-1"))
    store.begin_action(record(3, incident_id="inc-2"))
    store.begin_action(record(4))
    assert [r.id for r in store.actions_for("inc-1")] == ["act-1", "act-2"]
    assert store.actions_for("inc-9") == []


def test_steps_are_found_by_their_parent_in_order(store: Store) -> None:
    store.begin_action(record(1, action=ActionKind.CONTAIN_ALL))
    for n in (2, 3, 4):
        store.begin_action(record(n, parent_id="act-1"))
    store.begin_action(record(5))
    assert [r.id for r in store.child_actions("act-1")] == ["act-2", "act-3", "act-4"]
    assert store.child_actions("act-5") == []


def test_swap_writes_only_over_the_expected_state(store: Store) -> None:
    store.begin_action(record(1, state=ActionState.AWAITING_APPROVAL))
    approved = record(1, state=ActionState.REQUESTED, approved_by="U0BOB")
    assert store.swap_action(approved, ActionState.AWAITING_APPROVAL)
    assert not store.swap_action(record(1, state=ActionState.FAILED), ActionState.AWAITING_APPROVAL)
    assert not store.swap_action(record(9), ActionState.REQUESTED)
    stored = store.get_action("act-1")
    assert stored is not None
    assert (stored.state, stored.approved_by) == (ActionState.REQUESTED, "U0BOB")
    assert store.get_action("act-9") is None


def test_of_many_racing_approvers_exactly_one_wins(store: Store) -> None:
    store.begin_action(record(1, state=ActionState.AWAITING_APPROVAL))

    def approve(n: int) -> str:
        mine = record(1, state=ActionState.REQUESTED, approved_by=f"U{n}")
        return mine.approved_by if store.swap_action(mine, ActionState.AWAITING_APPROVAL) else ""

    wins = [approver for approver in race(8, approve) if approver]
    assert len(wins) == 1
    stored = store.get_action("act-1")
    assert stored is not None
    assert stored.approved_by == wins[0]


def test_requested_actions_are_the_ones_still_running_or_left_by_a_crash(store: Store) -> None:
    store.begin_action(record(2))
    store.begin_action(record(1))
    store.begin_action(record(3, state=ActionState.AWAITING_APPROVAL))
    done, _ = store.begin_action(record(4))
    done.state = ActionState.DONE
    store.save_action(done)
    assert [r.id for r in store.requested_actions()] == ["act-1", "act-2"]
