"""Once an incident has its own channel, what reaches its alert thread reaches that channel too.

Alert replies, action results and the card's redraws are written by several parts
(ingest, respond, investigate) into the incident's thread in the alerts channel. Rather
than teach each of them where an incident is worked now, the messenger they share is
this one: a reply into a declared incident's thread is also posted in its channel, and
a redraw of the card also redraws the copy pinned there. An echo that Slack refuses
(the channel archived meanwhile) is logged and never fails the post it follows.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.errors import KeycheckError
from bot.models import Incident
from bot.respond.incident_channel import pinned_card
from bot.slack.messenger import ChannelPacer, Messenger, PostedMessage
from bot.store import Store

log = logging.getLogger(__name__)


class IncidentEcho(Messenger):
    """The messenger, with each declared incident's thread echoed into its own channel."""

    def __init__(
        self, client: WebClient, store: Store, *, pacer: ChannelPacer | None = None
    ) -> None:
        super().__init__(client, pacer=pacer)
        self.store = store

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> PostedMessage:
        posted = super().post_message(channel, text, blocks, thread_ts)
        incident = self._declared(posted.channel, thread_ts)
        if incident is not None:
            try:
                Messenger.post_message(self, incident.incident_channel, text, blocks)
            except KeycheckError as error:
                log.warning("incident %s: reply not echoed to its channel: %s", incident.id, error)
        return posted

    def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        super().update(channel, ts, text, blocks)
        incident = self._declared(self._channel(channel), ts)
        if incident is None or incident.thread_ts != ts:
            return
        card_ts = pinned_card(self.store.actions_for(incident.id), incident.incident_channel)
        if not card_ts:
            return
        try:
            Messenger.update(self, incident.incident_channel, card_ts, text, blocks)
        except KeycheckError as error:
            log.warning("incident %s: pinned card not redrawn: %s", incident.id, error)

    def _declared(self, channel: str, thread_ts: str | None) -> Incident | None:
        """The incident whose alert thread this is, when it has a channel of its own."""
        if not thread_ts:
            return None
        try:
            incident = self.store.find_incident_by_thread(channel, thread_ts)
        except KeycheckError as error:
            log.warning("no incident looked up for an echo: %s", error)
            return None
        if incident is None or not incident.incident_channel:
            return None
        return incident if incident.incident_channel != channel else None
