"""One time-ordered timeline from many sources, each event once.

Events are deduplicated by eventID. Some sources reuse eventIDs for different events
(Panther's scenario gives every record the id "1"); when one id carries different
contents, each of those events is re-identified by `content_id`, so none is lost and
every id in the result is unique.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from operator import attrgetter

import msgspec

from bot.analysis.records import content_id
from bot.events import TimelineEvent

_NOT_CONTENT = frozenset({"tags", "chain", "event_id"})


def _digest(event: TimelineEvent) -> str:
    fields = msgspec.to_builtins(event)
    return content_id({k: v for k, v in fields.items() if k not in _NOT_CONTENT})


def merge_events(*sources: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Deduplicated and sorted by time (then source, name, id, for a stable order)."""
    first: dict[str, TimelineEvent] = {}
    repeated: dict[str, dict[str, TimelineEvent]] = {}
    for source in sources:
        for event in source:
            seen = first.setdefault(event.event_id, event)
            if seen is event:
                continue
            variants = repeated.setdefault(event.event_id, {_digest(seen): seen})
            variants.setdefault(_digest(event), event)
    merged: list[TimelineEvent] = []
    for event_id, event in first.items():
        variants = repeated.get(event_id, {})
        if len(variants) < 2:
            merged.append(event)
            continue
        merged.extend(replace(v, event_id=d) for d, v in variants.items())
    merged.sort(key=attrgetter("time", "event_source", "event_name", "event_id"))
    return merged
