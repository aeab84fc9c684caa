"""Alert in → card out: parse, complete, store (before anyone is told), then post."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from bot.alerts.parse import parse_body
from bot.alerts.story import beats, signature
from bot.config import Settings
from bot.errors import BadEnvelope, KeycheckError, user_message
from bot.ingest.cards import draw_card
from bot.ingest.enrich import Enricher, expected_source
from bot.ingest.posting import OncePoster, card_mark
from bot.ingest.thread import ThreadTeller
from bot.models import ActionOutcome, Alert, AlertKind, Incident, utcnow
from bot.slack.blocks import Message, section
from bot.slack.messenger import Messenger
from bot.slack.replies import auto_contained_message
from bot.store import Store, lease_owner

log = logging.getLogger(__name__)

DELIVERY_LEASE = "deliver"
# Renewed before every message; a holder that died frees it after this long. One post
# (10 s timeout, never re-sent after one) fits in it several times over.
LEASE_SECONDS = 30.0
# One round posts at most this many of an incident's alerts, new incidents' cards first,
# so one key's long backlog never holds back another key's first card.
# A round tells each incident at most this many kinds of alert (each kind may be news, a
# post) and this many alerts in all. Repeats cost only one edit of the digest, so a flood of
# one kind drains in a few rounds, not one round per five alerts, while every other
# incident still gets its turn between them.
ROUND_KINDS = 5
ROUND_ALERTS = 500
AlarmCompleter = Callable[[Alert], Alert]
# Auto-containment of one alert in its incident: the outcomes, [] when its type is not listed.
Contain = Callable[[Alert, str], list[ActionOutcome]]
# Called once an incident's card is in Slack: for what is filled in later (blast radius).
CardPosted = Callable[[Incident], None]


class LeaseLost(KeycheckError):
    """Another replica holds the delivery lease now: this one stops posting at once."""


def fair_round(backlog: list[tuple[Alert, Incident]]) -> list[tuple[str, list[Alert]]]:
    """The backlog per incident, oldest first, incidents without a card before the others."""
    by_incident: dict[str, list[Alert]] = {}
    carded: dict[str, bool] = {}
    for alert, incident in backlog:
        by_incident.setdefault(incident.id, []).append(alert)
        carded[incident.id] = bool(incident.thread_ts)
    return sorted(by_incident.items(), key=lambda item: carded[item[0]])


def round_batch(pending: list[Alert]) -> list[Alert]:
    """An incident's share of one round: its oldest waiting alerts, up to ROUND_KINDS kinds."""
    kinds: set[tuple[str, ...]] = set()
    batch: list[Alert] = []
    for alert in pending[:ROUND_ALERTS]:
        kinds.add(signature(alert))
        if len(kinds) > ROUND_KINDS:
            break
        batch.append(alert)
    return batch


def snoozed(incident: Incident, now: datetime) -> bool:
    """An acknowledged incident keeps counting, and posting news, but not its repeats."""
    return incident.snoozed_until is not None and incident.snoozed_until > now


class Ingest:
    """The alert pipeline. `accept` makes alerts durable; `deliver` tells Slack."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        messenger: Messenger,
        enricher: Enricher,
        *,
        complete_alarm: AlarmCompleter | None = None,
        contain: Contain | None = None,
        card_posted: CardPosted | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.settings = settings
        self.store = store
        self.messenger = messenger
        self.enricher = enricher
        self.complete_alarm = complete_alarm
        self.contain = contain
        self.card_posted = card_posted
        self.lease_seconds = lease_seconds
        self._deliver_lock = threading.Lock()
        # Auto-containment results waiting for their incident's thread, by incident id.
        self._notes: dict[str, list[Message]] = {}
        self._notes_lock = threading.Lock()
        self._owner = lease_owner()
        self.poster = OncePoster(store, messenger)

    def accept(self, body: str | bytes) -> list[Alert]:
        """Parse and store every alert in a body; BadEnvelope for a body we refuse."""
        store = self.store
        try:
            alerts = parse_body(body, max_bytes=self.settings.max_body_bytes)
        except BadEnvelope:
            store.bump("alerts.rejected")
            raise
        stored = []
        for alert in alerts:
            complete = self._complete(alert)
            if expected_source(complete, self.settings):
                store.bump("alerts.known_network")
                log.info(
                    "%s from a known network %s: not an alert", complete.rule, complete.source_ip
                )
                continue
            outcome = store.record_alert(complete)
            if outcome.duplicate:
                store.bump("alerts.duplicate")
                log.info("redelivery of %s counted once", complete.dedup_key)
                continue
            store.bump("alerts.stored")
            self._auto_contain(complete, outcome.incident)
            stored.append(complete)
        return stored

    def _auto_contain(self, alert: Alert, incident: Incident) -> None:
        """Contain a listed alert as soon as it is stored, whatever came before it or Slack's
        state; its result waits for delivery, which posts it in the incident's thread."""
        if self.contain is None:
            return
        try:
            outcomes = self.contain(alert, incident.id)
        except Exception as error:  # storing is done; the thread says containment failed
            log.exception("auto-containment for %s failed", alert.dedup_key)
            text = f":x: Auto-containment failed: {user_message(error)}"
            self._hold_note(incident.id, (text, [section(text)]))
            return
        if outcomes:
            self._hold_note(incident.id, auto_contained_message(outcomes))

    def _hold_note(self, incident_id: str, note: Message) -> None:
        with self._notes_lock:
            self._notes.setdefault(incident_id, []).append(note)

    def deliver(self) -> int:
        """Post every stored alert not yet in Slack, grouped per incident; return how many.

        One replica delivers at a time (a lease in the store, renewed before every message),
        so two never post one alert twice. The holder looks at the backlog again after
        letting go: an alert stored by a replica that found the lease taken is then still
        delivered.
        """
        store, attempted = self.store, set[str]()
        with self._deliver_lock:
            while store.acquire_lease(DELIVERY_LEASE, self._owner, self.lease_seconds):
                try:
                    attempted |= self._deliver_backlog()
                except LeaseLost:
                    log.warning("the delivery lease passed to another replica; it goes on")
                    break
                finally:
                    store.release_lease(DELIVERY_LEASE, self._owner)
                if {a.dedup_key for a, _ in store.unposted_alerts()} <= attempted:
                    break
        return len(attempted)

    def _deliver_backlog(self) -> set[str]:
        """Round by round (see fair_round); each round reads the backlog again, so an
        incident opened meanwhile has its card in the next round."""
        attempted: set[str] = set()
        while True:
            backlog = [b for b in self.store.unposted_alerts() if b[0].dedup_key not in attempted]
            if not backlog:
                return attempted
            self.poster.refresh()
            for incident_id, pending in fair_round(backlog):
                batch = round_batch(pending)
                attempted |= {a.dedup_key for a in batch}
                self._deliver_incident(incident_id, batch, {a.dedup_key for a in pending})

    def _renew(self) -> None:
        """Before each message: still ours, for another lease_seconds, or stop posting."""
        if not self.store.acquire_lease(DELIVERY_LEASE, self._owner, self.lease_seconds):
            raise LeaseLost("the delivery lease expired and another replica took it")

    def handle(self, body: str | bytes) -> list[Alert]:
        """Accept then deliver: for callers that have nothing to acknowledge in between."""
        stored = self.accept(body)
        self.deliver()
        return stored

    def _complete(self, alert: Alert) -> Alert:
        if alert.kind is not AlertKind.CLOUDWATCH_ALARM or self.complete_alarm is None:
            return alert
        try:
            return self.complete_alarm(alert)
        except Exception:  # the alarm must still reach Slack without its detail
            log.exception("looking up the events behind alarm %s failed", alert.rule)
            return alert.model_copy(
                update={"details": {**alert.details, "lookup": "the log lookup failed"}}
            )

    def _deliver_incident(self, incident_id: str, alerts: list[Alert], pending: set[str]) -> None:
        """Tell the thread about `alerts` (the card first if there is none); `pending` is
        every alert of the incident still waiting: the card is redrawn after the last."""
        store = self.store
        incident = store.get_incident(incident_id)
        history = store.alerts_for(incident_id)
        if incident is None or not history:
            return
        first = history[0]
        batch = {a.dedup_key for a in alerts}
        if not incident.thread_ts:
            self._renew()
            if not self._post_card(incident, history):
                return  # in doubt: the next delivery looks again
            batch.discard(first.dedup_key)
        self._teller().tell(incident, beats(history), batch, quiet=snoozed(incident, utcnow()))
        self._post_notes(incident)
        if batch and pending <= {a.dedup_key for a in alerts}:  # its last round: one redraw
            now = store.get_incident(incident_id) or incident
            text, blocks = draw_card(store, now, history, self.enricher(first))
            self.messenger.update(incident.channel, incident.thread_ts, text, blocks)

    def _teller(self) -> ThreadTeller:
        return ThreadTeller(
            self.store,
            self.messenger,
            self.enricher,
            escalation_group=self.settings.escalation_group,
            renew=self._renew,
            after_post=self._upload_raw,
            poster=self.poster,
        )

    def _post_notes(self, incident: Incident) -> None:
        """Auto-containment results into the thread; one Slack refused waits for next time."""
        with self._notes_lock:
            notes = self._notes.pop(incident.id, [])
        for n, (text, blocks) in enumerate(notes):
            try:
                self.messenger.post(incident.channel, text, blocks, thread_ts=incident.thread_ts)
            except KeycheckError:
                with self._notes_lock:
                    self._notes[incident.id] = notes[n:] + self._notes.get(incident.id, [])
                raise

    def _post_card(self, incident: Incident, history: list[Alert]) -> bool:
        """Post the card, or find it posted before; False while that is in doubt."""
        first = history[0]
        card = draw_card(self.store, incident, history, self.enricher(first))
        channel, mark = self.settings.alerts_channel, card_mark(incident.id)
        posted = self.poster.post(first.dedup_key, channel, None, card, mark)
        if posted is None:
            return False
        incident.channel, incident.thread_ts = posted.channel, posted.ts
        self.store.save_incident(incident)
        self.store.mark_posted(first.dedup_key)
        self._upload_raw(incident, first)
        if self.card_posted is not None:
            self.card_posted(incident)
        return True

    def _upload_raw(self, incident: Incident, alert: Alert) -> None:
        """An unrecognised alert's raw JSON into the thread: the only way to read it."""
        if alert.kind is not AlertKind.UNRECOGNISED:
            return
        raw = json.dumps(json.loads(alert.raw), indent=2) if _is_json(alert.raw) else alert.raw
        name = f"{incident.id}-{alert.dedup_key.rsplit(':', 1)[-1][:40]}-raw.json"
        self.messenger.upload(
            incident.channel,
            incident.thread_ts,
            [(name, raw.encode())],
            "The raw alert, as received.",
        )


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True
