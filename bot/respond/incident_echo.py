"""Once an incident has its own channel, what reaches its alert thread reaches that channel too.

Alert replies, action results and the card's redraws are written by several parts
(ingest, respond, investigate) into the incident's thread in the alerts channel. Rather
than teach each of them where an incident is worked now, the messenger they share is
this one: a reply into a declared incident's thread is also posted in its channel, and
a redraw of the card also redraws the copy pinned there, and an edit of an echoed reply
(a timeline's progress becoming its result) edits its echo. An echo that Slack refuses
(the channel archived meanwhile) is logged and never fails the post it follows.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from slack_sdk import WebClient

from bot.errors import KeycheckError
from bot.models import Incident
from bot.respond.incident_channel import pinned_card
from bot.slack.messenger import ChannelPacer, Messenger, PostedMessage
from bot.store import Store

log = logging.getLogger(__name__)

# Echoed replies remembered for their later edits: a progress message is edited within
# minutes, so the last few hundred are plenty.
REMEMBERED = 500


class IncidentEcho(Messenger):
    """The messenger, with each declared incident's thread echoed into its own channel."""

    def __init__(
        self, client: WebClient, store: Store, *, pacer: ChannelPacer | None = None
    ) -> None:
        super().__init__(client, pacer=pacer)
        self.store = store
        self._echoes: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        self._echoes_lock = threading.Lock()

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        *,
        reply_broadcast: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> PostedMessage:
        posted = super().post_message(
            channel, text, blocks, thread_ts, reply_broadcast=reply_broadcast, metadata=metadata
        )
        incident = self._declared(posted.channel, thread_ts)
        if incident is None:
            return posted
        try:
            echo = Messenger.post_message(self, incident.incident_channel, text, blocks)
        except KeycheckError as error:
            log.warning("incident %s: reply not echoed to its channel: %s", incident.id, error)
            return posted
        with self._echoes_lock:
            self._echoes[(posted.channel, posted.ts)] = (echo.channel, echo.ts)
            while len(self._echoes) > REMEMBERED:
                self._echoes.popitem(last=False)
        return posted

    def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        super().update(channel, ts, text, blocks)
        target = self._copy_of(self._channel(channel), ts)
        if target is None:
            return
        try:
            Messenger.update(self, *target, text, blocks)
        except KeycheckError as error:
            log.warning("the incident channel's copy of %s not redrawn: %s", ts, error)

    def _copy_of(self, channel: str, ts: str) -> tuple[str, str] | None:
        """Where an edited message has its copy: an echoed reply's echo, or the pinned card."""
        with self._echoes_lock:
            echo = self._echoes.get((channel, ts))
        if echo is not None:
            return echo
        incident = self._declared(channel, ts)
        if incident is None or incident.thread_ts != ts:
            return None
        card_ts = pinned_card(self.store.actions_for(incident.id), incident.incident_channel)
        return (incident.incident_channel, card_ts) if card_ts else None

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
