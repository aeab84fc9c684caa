"""collection.s3: a burst of object reads or listings by one key (T1530, data from cloud storage).

One read is routine, so object reads are not tagged one by one; many in a short window,
or many distinct objects, is a bucket being emptied. A burst is at least `reads` calls, or
calls reaching at least `objects` distinct objects, within `window`; every counted call in
that window is tagged. The thresholds are settings.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.analysis.bursts import actor
from bot.events import TimelineEvent

S3 = "s3.amazonaws.com"
OBJECT_CALLS = frozenset(
    {
        "GetObject",
        "GetObjectAttributes",
        "GetObjectTorrent",
        "SelectObjectContent",
        "RestoreObject",
        "ListObjects",
        "ListObjectsV2",
        "ListObjectVersions",
    }
)


@dataclass(frozen=True)
class Thresholds:
    reads: int = 20
    objects: int = 10
    window: timedelta = timedelta(minutes=10)


def _object(event: TimelineEvent) -> tuple[str, str]:
    """(bucket, key) read, or (bucket, prefix listed): what counts as a distinct object."""
    params = event.request_parameters
    name = params.get("key") or params.get("prefix") or ""
    return str(params.get("bucketName", "")), str(name)


def collection_bursts(events: Sequence[TimelineEvent], limits: Thresholds) -> set[str]:
    """Event ids of the object reads and listings that are part of a burst."""
    by_actor: dict[str, list[TimelineEvent]] = {}
    for event in events:
        if event.event_source == S3 and event.event_name in OBJECT_CALLS and not event.error_code:
            by_actor.setdefault(actor(event), []).append(event)
    tagged: set[str] = set()
    for series in by_actor.values():
        tagged |= _bursts_in(sorted(series, key=lambda e: e.time), limits)
    return tagged


def _bursts_in(series: list[TimelineEvent], limits: Thresholds) -> set[str]:
    tagged: set[str] = set()
    inside: deque[TimelineEvent] = deque()
    objects: Counter[tuple[str, str]] = Counter()
    for event in series:
        inside.append(event)
        objects[_object(event)] += 1
        while event.time - inside[0].time > limits.window:
            gone = _object(inside.popleft())
            objects[gone] -= 1
            if not objects[gone]:
                del objects[gone]
        if len(inside) >= limits.reads or len(objects) >= limits.objects:
            tagged.update(e.event_id for e in inside)
    return tagged
