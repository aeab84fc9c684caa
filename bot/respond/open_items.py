"""What the report lists as still open: ways in AWS shows now, the status, the owner's word."""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import KeycheckError
from bot.models import ActionKind, Incident, IncidentStatus
from bot.respond.verify import ContainmentCheck
from bot.store import Store

DONE_WITH = (IncidentStatus.CLOSED, IncidentStatus.FALSE_POSITIVE)
ANSWERS = frozenset({ActionKind.OWNER_CONFIRMED, ActionKind.OWNER_DENIED})


def open_items(check: ContainmentCheck, store: Store) -> Callable[[Incident], list[str]]:
    """The report's open items, read when it is written: containment is checked in AWS now."""

    def items(incident: Incident) -> list[str]:
        found = _ways_in(check, incident.access_key_id) if incident.access_key_id else []
        if incident.status not in DONE_WITH:
            found.append(f"The incident is {incident.status.value}, not closed.")
        kinds = {record.action for record in store.actions_for(incident.id)}
        if ActionKind.OWNER_ASKED in kinds and not kinds & ANSWERS:
            found.append("The key's owner has not answered “Was this you?”.")
        return found

    return items


def _ways_in(check: ContainmentCheck, key_id: str) -> list[str]:
    try:
        verdict = check.verify(key_id)
    except KeycheckError as error:
        return [f"Containment could not be checked: {error}"]
    if verdict.error:
        return [f"Containment could not be checked: {verdict.error}"]
    return [item.what for item in verdict.open_items]
