"""recon.enumeration: a burst of discovery calls by one key.

A burst is at least `calls` distinct discovery calls (eventSource, eventName) made by one
access key within `window` (default: 5 within 10 minutes). The seed's sequence,
GetCallerIdentity → ListUsers → ListAccessKeys → ListRoles → ListPolicies → GetUser in 35
seconds, is one. Every discovery event inside a burst's window is tagged; what counts as
discovery is `bot.analysis.rules.is_discovery`.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Hashable, Sequence
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
        ordered = sorted(series, key=lambda e: e.time)
        tagged |= window_bursts(ordered, window, _call, lambda _, kinds: kinds >= calls)
    return tagged


def window_bursts(
    series: list[TimelineEvent],
    window: timedelta,
    kind: Callable[[TimelineEvent], Hashable],
    holds: Callable[[int, int], bool],
) -> set[str]:
    """Slide a time window over one actor's calls, in time order; whenever `holds(calls,
    distinct kinds)` for the calls inside it, every one of them is part of a burst.

    Linear in the calls: a window that held a burst one call ago had all its calls tagged
    then, so only the newest is added; re-adding the whole window took 770,000 steps for
    11,000 S3 reads.
    """
    tagged: set[str] = set()
    inside: deque[TimelineEvent] = deque()
    distinct: Counter[Hashable] = Counter()
    bursting = False
    for event in series:
        inside.append(event)
        distinct[kind(event)] += 1
        while event.time - inside[0].time > window:
            gone = kind(inside.popleft())
            distinct[gone] -= 1
            if not distinct[gone]:
                del distinct[gone]
        was, bursting = bursting, holds(len(inside), len(distinct))
        if bursting and was:
            tagged.add(event.event_id)
        elif bursting:
            tagged.update(e.event_id for e in inside)
    return tagged


def _call(event: TimelineEvent) -> tuple[str, str]:
    return event.event_source, event.event_name
