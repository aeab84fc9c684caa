"""What a delivery round tells the incident's thread: news posted, repeats counted in one reply.

Every alert is recorded and counted on the card whatever happens here. News (see
`bot.alerts.story`) is posted with `reply_broadcast`, acknowledged or not, so it shows in
the channel; a step up to high or critical also mentions the escalation group. Repeats
only edit the digest reply, and not while the incident is acknowledged. The posts and
edits go through the messenger, which keeps each channel to one message a second.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bot.alerts.story import Beat, repeats_since_news
from bot.ingest.enrich import Enricher
from bot.ingest.posting import OncePoster, reply_mark
from bot.models import Alert, Incident
from bot.slack.cards import alert_reply
from bot.slack.digest import digest_message
from bot.slack.messenger import Messenger, SlackDeliveryError
from bot.store import Store

log = logging.getLogger(__name__)

_GROUP_ID = re.compile(r"\AS[A-Z0-9]{2,20}\Z")
# The digest was deleted or is too old to edit: a new one is posted in its place.
GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
Renew = Callable[[], None]
AfterPost = Callable[[Incident, Alert], None]


def mention(group: str) -> str:
    """`<!subteam^S…>` for a user group id; nothing for an empty or malformed setting."""
    return f"<!subteam^{group}>" if _GROUP_ID.match(group) else ""


class ThreadTeller:
    """Tells one incident's thread about the alerts of one delivery round."""

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        enricher: Enricher,
        *,
        escalation_group: str = "",
        renew: Renew,
        after_post: AfterPost,
        poster: OncePoster,
    ) -> None:
        self.store, self.messenger, self.enricher = store, messenger, enricher
        self.escalation = mention(escalation_group)
        self.renew, self.after_post, self.poster = renew, after_post, poster

    def tell(self, incident: Incident, told: list[Beat], batch: set[str], *, quiet: bool) -> None:
        """Post the batch's news in order, each after the digest of the repeats before it;
        `quiet` (acknowledged) leaves repeats to the card's counter alone."""
        waiting = False
        for n, beat in enumerate(told):
            key = beat.alert.dedup_key
            if key not in batch:
                continue
            if beat.news and n > 0:
                if waiting:
                    self._digest(incident, told[:n])
                waiting = False
                if not self._news(incident, beat):
                    continue  # in doubt: the next delivery looks again
            elif not beat.news:
                waiting = waiting or not quiet
            self.store.mark_posted(key)
        if waiting:
            self._digest(incident, told)

    def _news(self, incident: Incident, beat: Beat) -> bool:
        """Post one piece of news once (see OncePoster); False while it is in doubt."""
        alert = beat.alert
        lead = self.escalation if beat.escalated else ""
        reply = alert_reply(alert, self.enricher(alert), mention=lead)
        self.renew()
        mark = reply_mark(incident.id, alert.dedup_key)
        where = (incident.channel, incident.thread_ts)
        if self.poster.post(alert.dedup_key, *where, reply, mark, reply_broadcast=True) is None:
            return False
        self.after_post(incident, alert)
        if incident.digest_ts:
            self._keep_digest(incident, "")
        return True

    def _digest(self, incident: Incident, told: list[Beat]) -> None:
        """Edit the digest reply in place, or post it when there is none (or it is gone)."""
        groups = repeats_since_news(told)
        if not groups:
            return
        text, blocks = digest_message(groups)
        self.renew()
        if incident.digest_ts:
            try:
                self.messenger.update(incident.channel, incident.digest_ts, text, blocks)
                return
            except SlackDeliveryError as error:
                if error.code not in GONE:
                    raise
                log.info("digest of %s is gone (%s); posting a new one", incident.id, error.code)
        ts = self.messenger.post(incident.channel, text, blocks, thread_ts=incident.thread_ts)
        self._keep_digest(incident, ts)

    def _keep_digest(self, incident: Incident, ts: str) -> None:
        """Store the digest's ts on a fresh copy, so a status set meanwhile is kept."""
        incident.digest_ts = ts
        fresh = self.store.get_incident(incident.id) or incident
        self.store.save_incident(fresh.model_copy(update={"digest_ts": ts}))
