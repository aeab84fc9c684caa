"""recon.enumeration: a burst of discovery calls by one key.

A burst is at least `calls` distinct discovery calls (eventSource, eventName) made by one
access key within `window` (default: 5 within 10 minutes). The seed's sequence,
GetCallerIdentity → ListUsers → ListAccessKeys → ListRoles → ListPolicies → GetUser in 35
seconds, is one. Every discovery event inside a burst's window is tagged; what counts as
discovery is `bot.analysis.rules.is_discovery`.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from datetime import timedelta

from bot.analysis.rules import is_discovery
from bot.events import TimelineEvent


def actor(event: TimelineEvent) -> str:
    """Who made the call: the key, else the principal (console sessions have no key)."""
    return event.access_key_id or event.principal_arn or event.source_ip


def enumeration_bursts(
    events: Sequence[TimelineEvent], calls: int = 5, window: timedelta = timedelta(minutes=10)
) -> set[str]:
    """Event ids of the discovery calls that are part of a burst."""
    by_actor: dict[str, list[TimelineEvent]] = {}
    for event in events:
        if is_discovery(event.event_source, event.event_name):
            by_actor.setdefault(actor(event), []).append(event)
    tagged: set[str] = set()
    for series in by_actor.values():
        tagged.update(_bursts_in(sorted(series, key=lambda e: e.time), calls, window))
    return tagged


def _bursts_in(series: list[TimelineEvent], calls: int, window: timedelta) -> set[str]:
    """Slide a time window over one actor's calls; mark the window whenever it holds a burst."""
    tagged: set[str] = set()
    inside: deque[TimelineEvent] = deque()
    distinct: Counter[tuple[str, str]] = Counter()
    for event in series:
        inside.append(event)
        distinct[(event.event_source, event.event_name)] += 1
        while event.time - inside[0].time > window:
            gone = inside.popleft()
            name = (gone.event_source, gone.event_name)
            distinct[name] -= 1
            if not distinct[name]:
                del distinct[name]
        if len(distinct) >= calls:
            tagged.update(e.event_id for e in inside)
    return tagged
