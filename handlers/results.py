"""Where a listener's result goes: the incident's thread (its audit), else where it was asked."""

from __future__ import annotations

from bot.models import ActionOutcome, ActionState, Incident
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.fallback import outcome_text, people
from bot.slack.messenger import Messenger, Place
from bot.slack.replies import outcome_message, verification_message


def place_for(
    services: Services, incident_id: str, asked_in: Place
) -> tuple[Place, Incident | None]:
    """The incident's thread when it has one, else the place the person asked in."""
    incident = services.store.get_incident(incident_id) if incident_id else None
    if incident is None:
        return asked_in, None
    return Place.of(incident.channel, incident.thread_ts, fallback=asked_in), incident


def report_outcome(
    services: Services, outcome: ActionOutcome, incident_id: str, asked_in: Place
) -> None:
    """The outcome in the thread; after containment ran, whether it holds; then the card,
    redrawn from the key as the action left it (with its blast radius read anew)."""
    place, incident = place_for(services, incident_id, asked_in)
    services.messenger.post_to(place, told(services.messenger, outcome))
    if outcome.report is not None and any(s.state is ActionState.DONE for s in outcome.steps):
        check = services.verify.verify(outcome.report.access_key_id)
        services.messenger.post_to(place, verification_message(check, incident_id))
    if incident is not None and outcome.steps:
        services.cards.refresh(incident, outcome.report)


def told(messenger: Messenger, outcome: ActionOutcome) -> Message:
    """The outcome's blocks, with a fallback text that names the people in plain words."""
    _, blocks = outcome_message(outcome)
    names = {person: messenger.real_name(person) for person in people(outcome)}
    return outcome_text(outcome, names), blocks
