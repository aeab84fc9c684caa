"""The incident card redrawn after its incident changed: status, links, the key's state now."""

from __future__ import annotations

import logging

from bot.errors import KeycheckError
from bot.ingest.enrich import Enricher
from bot.models import Alert, AlertContext, Incident, KeyReport
from bot.slack.blocks import Message
from bot.slack.cards import CardStory, incident_card
from bot.slack.messenger import Messenger
from bot.store import Store

log = logging.getLogger(__name__)


def draw_card(
    store: Store, incident: Incident, history: list[Alert], context: AlertContext
) -> Message:
    """The card from the whole incident: its alerts so far and what was done about them."""
    story = CardStory(history, store.actions_for(incident.id))
    return incident_card(incident, history[0], context, story=story)


class Cards:
    """Draws a card from the store and the enricher, so every card shows the same key state."""

    def __init__(self, store: Store, messenger: Messenger, enricher: Enricher) -> None:
        self.store = store
        self.messenger = messenger
        self.enricher = enricher

    def message(self, incident: Incident, report: KeyReport | None = None) -> Message | None:
        """The card as it should read now; `report` is a read-back the caller already has."""
        alerts = self.store.alerts_for(incident.id)
        if not alerts:
            return None
        if report is not None:
            self.enricher.remember(report)
        return draw_card(self.store, incident, alerts, self.enricher(alerts[0]))

    def fresh_report(self, incident: Incident) -> KeyReport | None:
        """The incident key's report read now (not from cache), or None for a key-less one."""
        if not incident.access_key_id:
            return None
        return self.enricher.report(incident.access_key_id, fresh=True)

    def refresh(self, incident: Incident, report: KeyReport | None = None) -> None:
        """Redraw the card in the alerts channel; without a read-back, the key is read anew."""
        if not incident.channel or not incident.thread_ts:
            return
        card = self.message(incident, report or self.fresh_report(incident))
        if card is None:
            return
        try:
            self.messenger.update(incident.channel, incident.thread_ts, *card)
        except KeycheckError as error:
            log.warning("card of incident %s not refreshed: %s", incident.id, error)
