"""Many trail files at once: read, gunzipped and filtered in worker processes, one per core
when the files are large enough to repay starting them.

With keys, the files are scanned in order, a few per worker in flight, each for the keys
reached so far: the keys asked about and those the files already scanned showed them
minting (every successful STS call that returned credentials, and every CreateAccessKey
that returned a key, is noted, whoever made it).
A key minted in one file thus has its records pulled from every file after it in the same
pass. The files scanned before a key was known are scanned once more, for all such keys
together: one extra pass, over those files only, whatever the number of generations.

Only the records kept travel back from the workers, already flattened to an event's fields,
so memory follows what is kept, not what is read, and the parent only validates them into
events. The analysis sorts events
by time, whatever order the files came in.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import msgspec

from bot.analysis.chains import DEFAULT_DEPTH
from bot.analysis.prefilter import (
    CREATED_NEEDLE,
    MINT_NEEDLE,
    Edge,
    Reach,
    concerns,
    key_edge,
)
from bot.analysis.records import UNDATED
from bot.analysis.scan import scan_events
from bot.events import TimelineEvent

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

log = logging.getLogger(__name__)
_DECODER = msgspec.msgpack.Decoder(list[TimelineEvent])
# Below this many bytes of files, one process is done before a pool of workers would be.
POOL_BYTES = 64 * 2**20
# Records a pool reads before it is judged parent-bound (see `_Tally`).
POOL_SAMPLE = 20_000


@dataclass(frozen=True)
class Source:
    """One file by name, and how to get its bytes; `parallel` when a worker may call `load`;
    `size` its bytes as stored, when known (0 when not)."""

    name: str
    load: Callable[[], bytes]
    parallel: bool = True
    size: int = 0


@dataclass(frozen=True)
class Progress:
    """How far a sweep is: reported after every file."""

    files_done: int
    files: int
    records: int
    seconds: float
    second_pass: bool = False

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _Task:
    """One file to scan: keep the records concerning `keys` (all when None), not `taken`."""

    source: Source
    keys: frozenset[str] | None = None
    taken: frozenset[str] = frozenset()
    edges: bool = False


@dataclass
class _Result:
    """One file's kept events, minted keys and record count, and the ids of the records kept
    but without a readable time (they are never dated 1970)."""

    events: list[TimelineEvent] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    seen: int = 0
    undated: list[str] = field(default_factory=list)


# A result as it crosses from a worker: its events (as MessagePack, unless a number in them
# is past 64 bits), then its edges, count and undated ids.
_Packed = tuple[bytes | list[TimelineEvent], list[Edge], int, list[str]]


def _needles(task: _Task) -> list[bytes] | None:
    if task.keys is None:
        return None
    edges = [MINT_NEEDLE, CREATED_NEEDLE] if task.edges else []
    return [key.encode() for key in task.keys] + edges


def _kept(event: TimelineEvent, task: _Task) -> bool:
    if task.keys is None:
        return True
    return concerns(event, task.keys) and not (task.taken and concerns(event, task.taken))


def _scan(task: _Task) -> _Result:
    """In a worker: one file's records that the task keeps, and the keys minted in it."""
    scanned = scan_events(task.source.load(), task.source.name, _needles(task))
    edges = [e for e in map(key_edge, scanned.events) if e is not None] if task.edges else []
    result = _Result(edges=edges, seen=scanned.seen)
    for event in scanned.events:
        if not _kept(event, task):
            continue
        if event.time is UNDATED:
            result.undated.append(event.event_id)
        else:
            result.events.append(event)
    return result


def _scan_packed(task: _Task) -> _Packed:
    """`_scan` in a worker: MessagePack is cheaper both ways than pickling the events, and the
    parent decodes it straight into events."""
    result = _scan(task)
    try:
        return msgspec.msgpack.encode(result.events), result.edges, result.seen, result.undated
    except OverflowError:
        return result.events, result.edges, result.seen, result.undated


def _unpacked(packed: _Packed) -> _Result:
    events, edges, seen, undated = packed
    decoded = _DECODER.decode(events) if isinstance(events, bytes) else events
    return _Result(_share_strings(decoded), edges, seen, undated)


def cores() -> int:
    """The cores this process may run on: a container's or a taskset's share, not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def workers(sources: Sequence[Source], jobs: int | None = None) -> int:
    """`jobs` processes; by default one per core when the files are large enough to repay
    starting them (POOL_BYTES in all), else one; never more than files; 1 means none.

    A source whose bytes cannot be fetched in a worker (an S3 object) keeps all of them here.
    """
    if not all(source.parallel for source in sources):
        return 1
    if jobs is None and sum(source.size for source in sources) < POOL_BYTES:
        return 1
    return max(1, min(len(sources), jobs or cores()))


def _leave_interrupts_to_parent() -> None:
    """Ctrl-C reaches every process of the group: the parent stops the pool, quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class _Tally:
    """What the pool's results so far kept of what they read."""

    kept: int = 0
    seen: int = 0

    def count(self, result: _Result) -> _Result:
        self.kept += len(result.events)
        self.seen += result.seen
        return result

    def parent_bound(self, count: int) -> bool:
        """Most records read are kept, and the workers take every core: the parent, which
        decodes each kept event again, has none of its own and the pool is slower than one
        process (64 s against 57 s for 1.7 million events on two cores)."""
        return self.seen >= POOL_SAMPLE and 2 * self.kept > self.seen and count >= cores()


def _completed(tasks: Iterator[_Task], count: int) -> Iterator[tuple[_Task, _Result]]:
    """Each task with its result, in order; two per worker in flight at most.

    Tasks are drawn from `tasks` only as earlier ones finish, so a task can be made with
    what the earlier results taught, and the queue stays short on a bucket of any size.
    When the pool turns out parent-bound, the rest are scanned here instead.
    """
    if count >= 2:
        yield from _pooled(tasks, count)
    yield from ((task, _scan(task)) for task in tasks)


def _pooled(tasks: Iterator[_Task], count: int) -> Iterator[tuple[_Task, _Result]]:
    """`_completed` in a pool of `count` workers, until the tasks end or the pool turns out
    parent-bound; the tasks not drawn yet are left in `tasks`."""
    import multiprocessing  # here: a small input never starts a pool

    tally = _Tally()
    with multiprocessing.Pool(count, initializer=_leave_interrupts_to_parent) as pool:
        pending: deque[tuple[_Task, AsyncResult[_Packed]]] = deque()
        for task in tasks:
            pending.append((task, pool.apply_async(_scan_packed, (task,))))
            if len(pending) >= 2 * count:
                done, result = pending.popleft()
                yield done, tally.count(_unpacked(result.get()))
                if tally.parent_bound(count):
                    break
        while pending:
            done, result = pending.popleft()
            yield done, _unpacked(result.get())


def _sweep(
    tasks: Iterator[_Task],
    files: int,
    count: int,
    progress: ProgressCallback | None,
    second_pass: bool = False,
) -> Iterator[tuple[_Task, _Result]]:
    """`_completed`, reporting progress after every file."""
    started, seen = time.monotonic(), 0
    for done, (task, result) in enumerate(_completed(tasks, count), start=1):
        seen += result.seen
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(Progress(done, files, seen, elapsed, second_pass))
        yield task, result


def _share_strings(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Events decoded from a worker's MessagePack, their repeated texts shared again as
    `records` shares them (MessagePack carries each copy).

    Written out field by field: a loop over names with getattr and setattr took six
    times as long, and this runs once per event kept.
    """
    shared = sys.intern
    for e in events:
        e.region, e.event_source = shared(e.region), shared(e.event_source)
        e.event_name, e.event_type = shared(e.event_name), shared(e.event_type)
        e.access_key_id, e.source_ip = shared(e.access_key_id), shared(e.source_ip)
        e.user_agent, e.error_code = shared(e.user_agent), shared(e.error_code)
        e.error_message, e.account_id = shared(e.error_message), shared(e.account_id)
        e.recipient_account_id = shared(e.recipient_account_id)
        e.principal_arn, e.principal_type = shared(e.principal_arn), shared(e.principal_type)
        e.user_name, e.invoked_by = shared(e.user_name), shared(e.invoked_by)
    return events


def _events(result: _Result, undated: list[str] | None) -> list[TimelineEvent]:
    """The result's events; its undated records go to `undated` (or, when nobody asked, to a
    warning)."""
    if result.undated and undated is None:
        missing = result.undated
        log.warning("%d records without a readable time left out: %s", len(missing), missing[:5])
    elif undated is not None:
        undated.extend(result.undated)
    return result.events


def every_event(
    sources: Sequence[Source],
    progress: ProgressCallback | None = None,
    jobs: int | None = None,
    undated: list[str] | None = None,
) -> Iterator[TimelineEvent]:
    """Every record of every file, as events; `jobs` processes (default: see `workers`).

    The ids of records without a readable time go to `undated` instead.
    """
    tasks = (_Task(source) for source in sources)
    for _, result in _sweep(tasks, len(sources), workers(sources, jobs), progress):
        yield from _events(result, undated)


def select_events(
    sources: Sequence[Source],
    keys: Set[str],
    depth: int = DEFAULT_DEPTH,
    progress: ProgressCallback | None = None,
    jobs: int | None = None,
    undated: list[str] | None = None,
) -> list[TimelineEvent]:
    """The keys' events, their minted keys' (to `depth` hops), and those that created them.

    The ids of such records without a readable time go to `undated` instead.
    """
    reached = Reach(keys, depth)
    count = workers(sources, jobs)
    kept: list[TimelineEvent] = []
    scanned: list[tuple[Source, frozenset[str]]] = []
    tasks = (_Task(source, reached.keys, edges=True) for source in sources)
    for task, result in _sweep(tasks, len(sources), count, progress):
        kept += _events(result, undated)
        reached.learn(result.edges)
        scanned.append((task.source, task.keys or frozenset()))
    final = reached.keys
    again = [_Task(source, final - known, known) for source, known in scanned if known != final]
    # A pool for the second pass only when its own files repay it: forking a parent that
    # holds a busy key's events to rescan three files cost more than the scan.
    count = min(count, workers([task.source for task in again]))
    for _, result in _sweep(iter(again), len(again), count, progress, second_pass=True):
        kept += _events(result, undated)
    return kept
