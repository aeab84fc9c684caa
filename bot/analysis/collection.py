"""collection.s3: a burst of object reads or listings by one key (T1530, data from cloud storage).

One read is routine, so object reads are not tagged one by one; many in a short window,
or many distinct objects, is a bucket being emptied. A burst is at least `reads` calls, or
calls reaching at least `objects` distinct objects, within `window`; every counted call in
that window is tagged. The thresholds are settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.analysis.bursts import actor, window_bursts
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

    def reached(self, calls: int, objects: int) -> bool:
        return calls >= self.reads or objects >= self.objects


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
        ordered = sorted(series, key=lambda e: e.time)
        tagged |= window_bursts(ordered, limits.window, _object, limits.reached)
    return tagged
