"""travel.impossible: one key used from two places faster than an airliner could fly.

Each located event is compared with the key's previous located event from another IP.
The distance is reduced by both locations' accuracy radii (the most charitable reading of
the database), and the hop is impossible when that distance over the elapsed time exceeds
`max_speed_kmh` (900 km/h by default, a jet's cruising speed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from bot.analysis.bursts import actor
from bot.analysis.geo import Location, Locator, distance_km
from bot.analysis.networks import SourceKind, source_kind
from bot.events import TimelineEvent


@dataclass(frozen=True)
class Hop:
    """Two events of one key whose implied speed is impossible."""

    before: TimelineEvent
    after: TimelineEvent
    origin: Location
    destination: Location
    km: float
    hours: float

    @property
    def speed_kmh(self) -> float:
        return self.km / self.hours if self.hours > 0 else float("inf")


def impossible_travel(
    events: Sequence[TimelineEvent], locator: Locator, max_speed_kmh: float = 900.0
) -> Iterator[Hop]:
    """The impossible hops, key by key, in time order."""
    by_actor: dict[str, list[tuple[TimelineEvent, Location]]] = {}
    for event in sorted(events, key=lambda e: e.time):
        if source_kind(event.source_ip) is not SourceKind.IP:
            continue
        where = locator.locate(event.source_ip)
        if where is not None:
            by_actor.setdefault(actor(event), []).append((event, where))
    for series in by_actor.values():
        yield from _hops(series, max_speed_kmh)


def _hops(series: list[tuple[TimelineEvent, Location]], max_speed_kmh: float) -> Iterator[Hop]:
    for (before, origin), (after, destination) in pairwise(series):
        if before.source_ip == after.source_ip:
            continue
        km = distance_km(origin, destination) - origin.radius_km - destination.radius_km
        if km <= 0:
            continue
        hours = (after.time - before.time).total_seconds() / 3600
        if hours <= 0 or km / hours > max_speed_kmh:
            yield Hop(before, after, origin, destination, km, hours)
