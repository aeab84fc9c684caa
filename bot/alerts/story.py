"""What an incident's alerts tell, read in order: which were news, which only repeats.

An attacker who rotates addresses must not turn one probe into thirty pings, so a repeat
is the same rule and event on the incident whatever its source IP; what is news (a rule
or phase not seen before, a severity above any before) is decided by the alerts' order
alone, so every replica and every redelivery reads the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.alerts.phase import phase_of
from bot.analysis.catalog import Phase
from bot.models import Alert, AlertKind, Severity


def signature(alert: Alert) -> tuple[str, ...]:
    """What makes an alert news within its incident; a repeat only moves the counter.

    Unrecognised alerts are all alike to us, so each is news: its raw JSON is all there is.
    """
    if alert.kind is AlertKind.UNRECOGNISED:
        return (alert.kind, alert.dedup_key)
    return (alert.kind, alert.rule, alert.event_name)


@dataclass(frozen=True)
class Beat:
    """One alert's place in the story: news (posted, broadcast) or a repeat (counted)."""

    alert: Alert
    news: bool
    # Its severity is above every earlier one and at least high: people are called.
    escalated: bool = False


def beats(history: list[Alert]) -> list[Beat]:
    """Every alert of an incident, oldest first, with what it adds; the first opens the card."""
    seen: set[tuple[str, ...]] = set()
    phases: set[Phase] = set()
    top = -1
    told: list[Beat] = []
    for alert in history:
        phase, rank = phase_of(alert), alert.severity.rank
        news = signature(alert) not in seen or phase not in phases or rank > top
        escalated = bool(told) and rank > top and alert.severity.rank >= Severity.HIGH.rank
        told.append(Beat(alert, news, escalated))
        seen.add(signature(alert))
        phases.add(phase)
        top = max(top, rank)
    return told


def when(alert: Alert) -> datetime:
    return alert.occurred_at or alert.received_at


def worst(history: list[Alert]) -> Alert:
    """The alert the card is titled after: the most severe, the latest among equals."""
    return max(reversed(history), key=lambda a: a.severity.rank)


def phases_seen(history: list[Alert]) -> list[tuple[Phase, int]]:
    """Each phase with its count of alerts, in the order the attacker reached it."""
    counts: dict[Phase, int] = {}
    for alert in history:
        phase = phase_of(alert)
        counts[phase] = counts.get(phase, 0) + 1
    return list(counts.items())


@dataclass
class Repeats:
    """Repeats of one rule and event since the last news: how many, from where, since when."""

    sample: Alert
    count: int = 0
    addresses: set[str] = field(default_factory=set)
    since: datetime | None = None

    def add(self, alert: Alert) -> None:
        self.count += 1
        if alert.source_ip:
            self.addresses.add(alert.source_ip)
        self.since = min(self.since or when(alert), when(alert))


def repeats_since_news(told: list[Beat]) -> list[Repeats]:
    """The repeats after the last news alert, grouped by signature, first seen first."""
    groups: dict[tuple[str, ...], Repeats] = {}
    for beat in told:
        if beat.news:
            groups.clear()
            continue
        key = signature(beat.alert)
        groups.setdefault(key, Repeats(beat.alert)).add(beat.alert)
    return list(groups.values())
