"""Auto-containment after a card: listed alert types are contained at once, with Undo buttons."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.errors import KeycheckError
from bot.respond.respond_slack import Place, post_to, problem_text
from bot.slack.replies import auto_contained_message

if TYPE_CHECKING:
    from bot.ingest.pipeline import AfterCard
    from bot.models import Alert, Incident
    from bot.services import Services

log = logging.getLogger(__name__)


def auto_contain_hook(services: Services) -> AfterCard:
    """Ingest's `after_card`: contain when the settings list this alert's type, and say so.

    It runs in the delivery thread after the card is posted; a failure is told in the
    thread and never stops the next alert from being delivered.
    """

    def after_card(alert: Alert, incident: Incident) -> None:
        if not services.settings.auto_contain or not alert.access_key_id:
            return
        place = Place(incident.channel, incident.thread_ts or None)
        try:
            outcomes = services.responder.auto_contain(alert, services.settings)
        except Exception as error:  # delivery goes on; the thread says what went wrong
            outcomes = []
            _say(services, place, f":x: Auto-containment failed: {problem_text(error)}")
        if outcomes:
            _post(services, place, auto_contained_message(outcomes))

    return after_card


def _post(services: Services, place: Place, message: tuple[str, list[dict[str, object]]]) -> None:
    try:
        post_to(services, place, message)
    except KeycheckError as error:
        log.error("auto-containment result not posted in %s: %s", place.channel, error)


def _say(services: Services, place: Place, text: str) -> None:
    _post(services, place, (text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]))
