"""The Store protocol: the one interface the pipelines use for incidents, alerts and actions."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from bot.domain.redact import redact_secrets
from bot.models import ActionRecord, ActionState, Alert, Incident, Watch

log = logging.getLogger(__name__)
QUARANTINED = "alerts.quarantined"


@dataclass(frozen=True)
class AlertOutcome:
    """What storing an alert did: which incident it joined, and whether it was news."""

    incident: Incident
    created: bool
    duplicate: bool


class UnreadableAlert(ValueError):
    """An alert whose stored JSON would not read back; storing it would block the backlog."""


def stored_json(model: BaseModel) -> str:
    """A record as every store writes it, secrets redacted: user agents, error messages,
    modal reasons and results are the attacker's or a typist's text, and land here first.
    Redacting the JSON text keeps it JSON (no pattern spans a quote)."""
    return redact_secrets(model.model_dump_json())


def alert_json(alert: Alert) -> str:
    """The alert as it is stored, refused unless it reads back: one row that fails to read
    would otherwise fail every read of the backlog it sits in."""
    try:
        data = stored_json(alert)
        Alert.model_validate_json(data)
    except ValueError as error:
        problem = type(error).__name__
        raise UnreadableAlert(
            f"alert {alert.dedup_key[:80]!r} would not read back: {problem}"
        ) from error
    return data


def read_alert(data: str | bytes, where: str) -> Alert | None:
    """One stored alert, or None (logged) when it cannot be read: the caller skips it."""
    try:
        return Alert.model_validate_json(data)
    except ValueError as error:
        problem = type(error).__name__
        log.error("stored alert %s cannot be read (%s); set aside", where[:200], problem)
        return None


def lease_owner() -> str:
    """Who holds a lease: host, process and a random part, unique across replicas and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_gone(owner: str) -> bool:
    """True when a lease's holder was a process on this host that no longer runs (killed
    with -9, say): a restarted worker then takes the lease at once instead of waiting it out.
    A holder elsewhere, or in this very process, is never judged gone."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but is not ours to signal
        return False
    return False


class Store(Protocol):
    """Durable state. Every write is committed before the method returns."""

    def record_alert(self, alert: Alert) -> AlertOutcome:
        """Store an alert and attach it to its incident, atomically; a repeat is a duplicate."""

    def get_incident(self, incident_id: str) -> Incident | None:
        """One incident by id."""

    def find_incident(self, account_id: str, subject: str) -> Incident | None:
        """The newest incident that is not closed for (account, key or principal)."""

    def find_incident_by_thread(self, channel: str, thread_ts: str) -> Incident | None:
        """The incident whose card is at (channel, ts)."""

    def save_incident(self, incident: Incident) -> None:
        """Write back an incident's mutable fields (thread, status, case, counters)."""

    def mark_posted(self, dedup_key: str) -> None:
        """Record that an alert reached Slack, so a restart does not post it again."""

    def unposted_alerts(self) -> list[tuple[Alert, Incident]]:
        """Alerts stored but not yet in Slack, oldest first: the redelivery backlog.

        Each row is read on its own; one that cannot be read is quarantined (taken out of
        the backlog, logged, counted in `alerts.quarantined`) so it never blocks the rest.
        """

    def alerts_for(self, incident_id: str) -> list[Alert]:
        """Every alert of an incident that can be read, oldest first."""

    def begin_action(self, record: ActionRecord) -> tuple[ActionRecord, bool]:
        """Insert a requested action unless its idempotency key exists; return (row, inserted)."""

    def save_action(self, record: ActionRecord) -> None:
        """Update an action after it ran (state, result, request id, before/after)."""

    def get_action(self, action_id: str) -> ActionRecord | None:
        """One action by id."""

    def actions_for(self, incident_id: str) -> list[ActionRecord]:
        """An incident's audit log, oldest first."""

    def actions_for_target(self, account_id: str, target: str) -> list[ActionRecord]:
        """Every action on one key in one account, oldest first: what has been done to it."""

    def child_actions(self, parent_id: str) -> list[ActionRecord]:
        """The steps a multi-step action (contain all, its undo) ran, in order."""

    def requested_actions(self) -> list[ActionRecord]:
        """Actions still `requested`, oldest first: running now, or left by a runner that died."""

    def swap_action(self, record: ActionRecord, expected: ActionState) -> bool:
        """Write the record only if its stored state is still `expected`; True if written.

        Two approvers, or two undos, race here: exactly one of them wins.
        """

    def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        """Hold `name` for `seconds` unless another owner holds it; the holder may renew."""

    def release_lease(self, name: str, owner: str) -> None:
        """Let go of `name` if this owner holds it."""

    def bump(self, counter: str, by: int = 1) -> int:
        """Increment a named counter (rejected inputs, redeliveries) and return its value."""

    def counters(self) -> dict[str, int]:
        """Every counter, for the health endpoint and tests."""

    def close(self) -> None:
        """Release the connection."""

    def save_watch(self, watch: Watch) -> None:
        """Write a watch on a contained key, new or as its last poll left it."""

    def get_watch(self, watch_id: str) -> Watch | None:
        """One watch by id."""

    def active_watches(self) -> list[Watch]:
        """Watches not ended yet, oldest cut-off first: what the poller reads next."""

    def mark_posting(self, dedup_key: str, since: float) -> None:
        """Record that an alert's post is about to be sent (epoch seconds `since`; 0 clears
        it): after a lost answer or a kill, the next delivery looks in Slack before posting."""

    def posting_alerts(self) -> dict[str, float]:
        """Unposted alerts whose post may have been sent, by dedup key: since when."""
