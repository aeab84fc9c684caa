"""Acknowledge, False positive and Reopen: the incident's status, recorded and announced."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.domain.actions import incident_key, new_action_id
from bot.errors import UnknownAction
from bot.models import ActionKind, ActionRecord, ActionState, Incident, IncidentStatus, utcnow
from bot.slack.fallback import triage_text
from bot.slack.messenger import Messenger, Place
from bot.slack.replies import already_message, triage_message
from bot.store import Store

STATUS = {
    ActionKind.ACKNOWLEDGE: IncidentStatus.ACKNOWLEDGED,
    ActionKind.FALSE_POSITIVE: IncidentStatus.FALSE_POSITIVE,
    ActionKind.REOPEN: IncidentStatus.OPEN,
}
RefreshCard = Callable[[Incident], None]


class Triage:
    """Sets an incident's status once per request; the card follows through `refresh_card`."""

    def __init__(self, store: Store, messenger: Messenger, refresh_card: RefreshCard) -> None:
        self.store = store
        self.messenger = messenger
        self.refresh_card = refresh_card

    def set_status(
        self,
        incident_id: str,
        kind: ActionKind,
        *,
        actor: str,
        snooze: timedelta | None = None,
        note: str = "",
    ) -> tuple[Incident, ActionRecord, bool]:
        """Mark the incident and record who did it; False when this request was already done.

        Ingest keeps counting while pings are paused. The same status asked again before
        any other status was set is the same request (a double click, a modal submitted
        twice): it finds the first record and changes nothing.
        """
        incident = self.store.get_incident(incident_id)
        if incident is None:
            raise UnknownAction(f"No incident `{incident_id[:40]}`: nothing was done.")
        now = utcnow()
        before = {"status": incident.status.value, "snoozed_until": _iso(incident)}
        history = self.store.actions_for(incident.id)
        record, inserted = self.store.begin_action(
            ActionRecord(
                id=new_action_id(),
                idempotency_key=incident_key(kind, incident.id, _generation(history, kind)),
                action=kind,
                actor=actor,
                incident_id=incident.id,
                target=incident.id,
                account_id=incident.account_id,
                reason=note,
                before=before,
                source="slack",
            )
        )
        if not inserted:
            return incident, record, False
        incident.status = STATUS[kind]
        incident.snoozed_until = now + snooze if snooze and kind is not ActionKind.REOPEN else None
        self.store.save_incident(incident)
        record.state, record.updated_at = ActionState.DONE, utcnow()
        record.after = {"status": incident.status.value, "snoozed_until": _iso(incident)}
        self.store.save_action(record)
        return incident, record, True

    def announce(self, incident: Incident, actor: str, note: str = "") -> None:
        """Say it in the thread and show the new status on the card."""
        place = Place(incident.channel, incident.thread_ts or None)
        _, blocks = triage_message(incident, actor, note)
        text = triage_text(self.messenger.real_name(actor), incident)
        self.messenger.post_to(place, (text, blocks))
        self.refresh_card(incident)

    def apply(
        self,
        incident_id: str,
        kind: ActionKind,
        *,
        actor: str,
        snooze: timedelta | None = None,
        note: str = "",
    ) -> None:
        """Set the status and announce it; a repeat of the same request says it was done."""
        incident, record, changed = self.set_status(
            incident_id, kind, actor=actor, snooze=snooze, note=note
        )
        if changed:
            self.announce(incident, actor, note)
            return
        place = Place(incident.channel, incident.thread_ts or None)
        self.messenger.post_to(place, already_message(record, "The status stays as it is."))


def _generation(history: list[ActionRecord], kind: ActionKind) -> int:
    """Moves on whenever another status was set since, so only a true repeat meets the first."""
    return sum(1 for r in history if r.action in STATUS and r.action is not kind)


def _iso(incident: Incident) -> str:
    return incident.snoozed_until.isoformat() if incident.snoozed_until else ""
