"""Looking a key up for a person: its report, its open incident, and a link to that card."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from bot.errors import KeycheckError, LookupFailed
from bot.models import BlastRadius, Incident, IncidentStatus, KeyReport, Severity
from bot.respond.blast_radius import BlastRadii
from bot.slack.lookup_blocks import with_blast_radius
from bot.slack.messenger import UNREACHABLE, Messenger, Place, PostedMessage, SlackDeliveryError
from bot.slack.replies import key_report_message, lookup_problem
from bot.store import Store

log = logging.getLogger(__name__)

HANDLED = frozenset({IncidentStatus.ACKNOWLEDGED, IncidentStatus.FALSE_POSITIVE})


@dataclass(frozen=True)
class Found:
    """A report given: where it was posted (None: only the asker saw it, through the
    response_url), what it said, and the incident it belongs to (if any)."""

    posted: PostedMessage | None
    report: KeyReport
    incident: Incident | None


ONLY_RESPONDERS = "Only keycheck's responders see a key's owner, other keys and activity."


def report_incident(
    key_id: str, account_id: str, channel: str, ts: str, *, user_name: str = ""
) -> Incident:
    """A stand-in incident for a key with none open, so its timeline goes under the report.

    It is never stored: the /keycheck report (or the message whose Timeline button was
    pressed) is the thread, and nothing is counted against an incident that does not exist.
    """
    return Incident(
        id=f"lookup-{key_id}",
        account_id=account_id,
        subject=key_id,
        title=f"/keycheck {key_id}",
        severity=Severity.MEDIUM,
        access_key_id=key_id,
        user_name=user_name,
        channel=channel,
        thread_ts=ts,
    )


class KeyLookup:
    """`/keycheck`, the shortcut and mentions share this: one report per key asked for."""

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        key_report: Callable[[str], KeyReport],
        account_of: Callable[[str], str],
        blast: BlastRadii | None = None,
    ) -> None:
        self.store = store
        self.messenger = messenger
        self.key_report = key_report
        self.account_of = account_of
        self.blast = blast

    def limited(self, key_id: str) -> str:
        """What anyone may learn: whether keycheck knows the key, and that it is in hand.

        A look-up by someone who is not a responder must not hand an attacker (or a
        curious channel) the owner, the sibling keys or the addresses the key was used from.
        """
        try:
            incident = self.store.find_incident(self.account_of(key_id), key_id)
        except (ClientError, BotoCoreError, KeycheckError) as error:
            log.warning("limited look-up of %s failed: %s", key_id, type(error).__name__)
            return f"keycheck could not check `{key_id}` just now; try again in a moment."
        if incident is None:
            return (
                f"keycheck has no open incident for `{key_id}`. If you think it leaked, "
                f"tell the security team. {ONLY_RESPONDERS}"
            )
        handling = "a responder is handling it" if incident.status in HANDLED else "they were told"
        return (
            f"keycheck knows `{key_id}`: it is incident `{incident.id}`, and the responders "
            f"are on it ({handling}). {ONLY_RESPONDERS}"
        )

    def post(self, key_id: str, place: Place, *, response_url: str = "") -> Found:
        """Post the key's report where asked; LookupFailed (safe to show) when AWS can't.

        Where keycheck cannot post (a private channel or DM it is not in), the report goes
        to the asker alone through the request's response_url: keycheck was not invited
        there, so it does not publish a key's owner to people it cannot see.
        """
        report = self.key_report(key_id)
        if report.error:
            raise LookupFailed(lookup_problem(key_id, report.error))
        incident = self.store.find_incident(report.account_id, key_id)
        message = key_report_message(report, incident, incident_link=self._link(incident))
        cached = self.blast.cached(report) if self.blast else None
        pending = self.blast is not None and cached is None  # read in the background
        shown = with_blast_radius(message, cached) if self.blast else message
        try:
            posted = self.messenger.post_to(place, shown)
        except SlackDeliveryError as error:
            if error.code not in UNREACHABLE or not response_url:
                raise
            # An answer through response_url cannot be edited later: no "reading…" in it.
            private = message if pending else shown
            self.messenger.respond(response_url, private, thread_ts=place.thread_ts)
            return Found(None, report, incident)
        if self.blast is not None and pending:

            def fill_in(blast: BlastRadius) -> None:
                self.messenger.update(posted.channel, posted.ts, *with_blast_radius(message, blast))

            self.blast.later(report, fill_in)
        return Found(posted, report, incident)

    def _link(self, incident: Incident | None) -> str:
        if incident is None or not incident.channel or not incident.thread_ts:
            return ""
        try:
            return self.messenger.permalink(incident.channel, incident.thread_ts)
        except KeycheckError as error:
            log.warning("no permalink for incident %s: %s", incident.id, error)
            return ""
