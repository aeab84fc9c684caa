"""Action ids and idempotency keys: written once here, so a repeat is always recognised.

An idempotency key names a request, not an attempt: the same button pressed twice, a
modal submitted twice or a message redelivered gives the same key, and the store's
`begin_action` finds the first record instead of running a second one. The generation
in a key moves on only when the earlier request is closed (undone or failed), so asking
again after that is a new request.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from bot.models import ActionKind, ActionRecord, ActionState

CLOSED = (ActionState.UNDONE, ActionState.FAILED)


def new_action_id() -> str:
    """Short enough to type into `keycheck undo`, random enough never to collide."""
    return f"act-{secrets.token_hex(5)}"


def generation(history: Iterable[ActionRecord], action: ActionKind) -> int:
    """How often this action on this target was undone, or failed outright.

    A done or running one keeps the generation, so asking again finds it; once it is
    undone (or failed, having changed nothing), asking again is a new request.
    """
    return sum(1 for r in history if r.action is action and not r.undo_of and r.state in CLOSED)


def finished(history: Iterable[ActionRecord], actions: Iterable[ActionKind]) -> int:
    """How many of these actions have run to an end: for actions that may run again at will.

    A Support case may be added to, and an incident acknowledged again after a reopen; a
    double click still meets the request that is running.
    """
    kinds = frozenset(actions)
    return sum(1 for r in history if r.action in kinds and r.state is not ActionState.REQUESTED)


def failed_undos(history: Iterable[ActionRecord], original_id: str) -> int:
    """Failed undos of one action: each failure lets the next press try again."""
    return sum(1 for r in history if r.undo_of == original_id and r.state is ActionState.FAILED)


def first_of_request(history: Iterable[ActionRecord], request_id: str) -> ActionRecord | None:
    """The record one confirmation (a Slack view) made, whatever happened to it since.

    A submitted modal is a one-time request: replayed after an undo, it would otherwise
    meet the next generation and run again.
    """
    if not request_id:
        return None
    return next((r for r in history if r.request_id == request_id and not r.parent_id), None)


def action_key(action: ActionKind, account_id: str, target: str, generation: int) -> str:
    """Same action, same key, same generation: the same request, however often it arrives."""
    return f"{action.value}|{account_id}|{target}|{generation}"


def incident_key(action: ActionKind, incident_id: str, generation: int) -> str:
    """An action on the incident itself (case, channel, triage), per generation."""
    return f"{action.value}|{incident_id}|{generation}"


def undo_key(original_id: str, attempt: int) -> str:
    """The undo of one action; `attempt` counts the undos of it that failed before."""
    return f"undo|{original_id}|{attempt}"


def watch_id(account_id: str, key_id: str) -> str:
    """One watch per key in its account: a second containment extends it, never doubles it."""
    return f"{account_id}:{key_id}"
