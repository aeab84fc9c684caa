"""A card or an alert's reply posted once, even when Slack's answer is lost or the poster dies.

Before each post the alert is marked in the store (intent), and the message carries Slack
message metadata naming it. An alert found still marked by a later delivery (a timeout, a
dropped connection, a `kill -9` between the post and its record) is looked for in Slack
first: the channel's newest messages for a card, the thread for a reply. Found, it is
adopted; not found, it is posted again only once SETTLE_SECONDS have passed since the
mark, because a post Slack is still working on may land meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from hashlib import sha256
from typing import Any

from bot.slack.blocks import Message
from bot.slack.messenger import Messenger, PostedMessage, SlackDeliveryError
from bot.store import Store

CARD_EVENT = "keycheck_incident_card"
ALERT_EVENT = "keycheck_alert_reply"
# Twice the Slack client's 10 s timeout: a post sent before the mark's time plus this has
# been answered or dropped by Slack, so its absence from the channel is final.
SETTLE_SECONDS = 20.0
# The messenger's code for a call whose answer never came: it may have been done.
LOST = "connection_error"


def card_mark(incident_id: str) -> dict[str, Any]:
    """The metadata of an incident's card."""
    return {"event_type": CARD_EVENT, "event_payload": {"incident_id": incident_id}}


def reply_mark(incident_id: str, dedup_key: str) -> dict[str, Any]:
    """The metadata of one alert's reply: a digest of its dedup key, which may be long."""
    alert = sha256(dedup_key.encode()).hexdigest()[:32]
    payload = {"incident_id": incident_id, "alert": alert}
    return {"event_type": ALERT_EVENT, "event_payload": payload}


class OncePoster:
    """Posts through the messenger with intent marked first; `refresh` once per round."""

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        *,
        settle: float = SETTLE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.messenger = store, messenger
        self.settle, self.clock = settle, clock
        self._doubts: dict[str, float] = {}

    def refresh(self) -> None:
        """Read which alerts are in doubt: one store read per delivery round, not per post."""
        self._doubts = self.store.posting_alerts()

    def post(
        self,
        dedup_key: str,
        channel: str,
        thread_ts: str | None,
        message: Message,
        mark: dict[str, Any],
        *,
        reply_broadcast: bool = False,
    ) -> PostedMessage | None:
        """Where the message is (posted now or found from before); None while in doubt.

        A post Slack refused clears the mark; one whose answer was lost keeps it.
        """
        since = self._doubts.get(dedup_key)
        if since is not None:
            found = self.messenger.find_marked(channel, thread_ts, mark)
            if found is not None:
                return found
            if self.clock() < since + self.settle:
                return None
        now = self.clock()
        self.store.mark_posting(dedup_key, now)
        self._doubts[dedup_key] = now
        text, blocks = message
        try:
            return self.messenger.post_message(
                channel, text, blocks, thread_ts, reply_broadcast=reply_broadcast, metadata=mark
            )
        except SlackDeliveryError as error:
            if not error.code.startswith(LOST):  # Slack answered no: nothing was posted
                self.store.mark_posting(dedup_key, 0.0)
                self._doubts.pop(dedup_key, None)
            raise
