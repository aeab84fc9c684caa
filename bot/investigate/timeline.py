"""The attacker's timeline: every enabled region, every key it minted, fetched in parallel.

Each (key, account, region) lookup runs in a thread pool, paced by the shared token bucket
of its (account, region). As lookups finish, the keys their events minted are scheduled in
turn (in the role's account, and in the caller's when that differs), up to `depth` hops.
A lookup that fails is reported with its error, never dropped. Progress is reported from
the calling thread, so a callback may post to Slack or draw on a terminal without locks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.analysis.chains import DEFAULT_DEPTH, Minted, derived_key, minted_key
from bot.analysis.context import analysis_config
from bot.analysis.footprint import footprint
from bot.analysis.merge import merge_events
from bot.analysis.pipeline import analyze_events
from bot.analysis.report import (
    Analysis,
    DerivedKey,
    RegionProgress,
    RegionResult,
    TimelineReport,
)
from bot.analysis.tagging import AnalysisConfig
from bot.aws.cloudtrail import LOOKUP_WINDOW, lookup_events
from bot.aws.ratelimit import LOOKUP_BUCKETS, BucketRegistry
from bot.aws.regions import enabled_regions
from bot.aws.sessions import Sessions
from bot.investigate.describe import describe_error
from bot.investigate.readback import read_footprint, read_key_states
from bot.models import TimelineEvent

__all__ = [
    "ProgressCallback",
    "RegionProgress",
    "TimelineReport",
    "analysis_config",
    "build_timeline",
    "describe_error",
    "window",
]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[RegionProgress], None]
ALL_REGIONS = "*"


def window(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last `days` days (1 to 90: LookupEvents keeps 90)."""
    end = now or datetime.now(UTC)
    days = max(1, min(days, LOOKUP_WINDOW.days))
    return end - timedelta(days=days), end


@dataclass(frozen=True)
class Lookup:
    """One LookupEvents sweep: a key, in one account and region, reached through `chain`."""

    key_id: str
    account_id: str
    region: str
    chain: tuple[str, ...]


@dataclass
class Fetch:
    """Everything the sweeps returned, before merging and analysis."""

    events: list[TimelineEvent] = field(default_factory=list)
    lookups: list[RegionResult] = field(default_factory=list)
    derived: list[DerivedKey] = field(default_factory=list)


class TimelineFetcher:
    """Runs the sweeps for one root key; one instance per timeline."""

    def __init__(
        self,
        sessions: Sessions,
        *,
        start: datetime,
        end: datetime,
        regions: Sequence[str] = (),
        depth: int = DEFAULT_DEPTH,
        buckets: BucketRegistry = LOOKUP_BUCKETS,
        max_workers: int = 32,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.sessions, self.start, self.end = sessions, start, end
        self.regions, self.depth, self.buckets = list(regions), depth, buckets
        self.max_workers = max_workers
        self.progress = progress
        self._region_cache: dict[str, list[str]] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._scheduled: set[tuple[str, str]] = set()
        self._pending: dict[Future[list[TimelineEvent]], Lookup] = {}
        self._result = Fetch()
        self._followed: set[str] = set()
        self._total = 0
        self._root = ""

    def run(self, key_id: str, account_id: str) -> Fetch:
        self._root = key_id
        with ThreadPoolExecutor(self.max_workers, thread_name_prefix="lookup") as pool:
            self._schedule(pool, key_id, account_id, (key_id,))
            while self._pending:
                done, _ = wait(self._pending, return_when=FIRST_COMPLETED)
                for future in done:
                    self._finish(pool, self._pending.pop(future), future)
        return self._result

    def _regions_for(self, account_id: str) -> list[str]:
        if self.regions:
            return self.regions
        if account_id not in self._region_cache:
            ec2 = self.sessions.client("ec2", account_id, self.sessions.region)
            self._region_cache[account_id] = enabled_regions(ec2)
        return self._region_cache[account_id]

    def _schedule(
        self, pool: ThreadPoolExecutor, key_id: str, account_id: str, chain: tuple[str, ...]
    ) -> None:
        if (key_id, account_id) in self._scheduled:
            return
        self._scheduled.add((key_id, account_id))
        try:
            regions = self._regions_for(account_id)
        except Exception as error:
            self._record(Lookup(key_id, account_id, ALL_REGIONS, chain), [], error, counted=True)
            return
        for region in regions:
            lookup = Lookup(key_id, account_id, region, chain)
            self._total += 1
            try:
                client = self._client(account_id, region)
            except Exception as error:
                self._record(lookup, [], error)
                continue
            self._pending[pool.submit(self._sweep, client, lookup)] = lookup

    def _client(self, account_id: str, region: str) -> Any:
        """Clients are built here, in the calling thread: boto3 sessions are not thread-safe."""
        client = self._clients.get((account_id, region))
        if client is None:
            client = self._clients[(account_id, region)] = self.sessions.client(
                "cloudtrail", account_id, region
            )
        return client

    def _sweep(self, client: Any, lookup: Lookup) -> list[TimelineEvent]:
        events = list(
            lookup_events(
                client,
                attribute_key="AccessKeyId",
                attribute_value=lookup.key_id,
                start=self.start,
                end=self.end,
                bucket=self.buckets.get(lookup.account_id, lookup.region),
            )
        )
        for event in events:
            event.chain = list(lookup.chain)
        return events

    def _finish(
        self, pool: ThreadPoolExecutor, lookup: Lookup, future: Future[list[TimelineEvent]]
    ) -> None:
        error = future.exception()
        events = [] if error is not None else future.result()
        self._record(lookup, events, error)
        for event in events:
            minted = minted_key(event)
            if minted is not None:
                self._follow(pool, minted, lookup)

    def _follow(self, pool: ThreadPoolExecutor, minted: Minted, parent: Lookup) -> None:
        if minted.key_id in self._followed or minted.key_id == self._root:
            return
        self._followed.add(minted.key_id)
        self._result.derived.append(derived_key(minted, list(parent.chain)))
        if len(parent.chain) > self.depth:
            return
        chain = (*parent.chain, minted.key_id)
        self._schedule(pool, minted.key_id, minted.account_id or parent.account_id, chain)
        if parent.account_id and minted.account_id and minted.account_id != parent.account_id:
            self._schedule(pool, minted.key_id, parent.account_id, chain)

    def _record(
        self,
        lookup: Lookup,
        events: list[TimelineEvent],
        error: BaseException | None,
        *,
        counted: bool = False,
    ) -> None:
        if counted:
            self._total += 1
        if error is not None:
            log.warning(
                "lookup of %s in %s/%s failed: %s",
                lookup.key_id,
                lookup.account_id or "own account",
                lookup.region,
                describe_error(error),
            )
        result = RegionResult(
            region=lookup.region,
            account_id=lookup.account_id,
            key_id=lookup.key_id,
            events=len(events),
            error=describe_error(error) if error is not None else "",
        )
        self._result.lookups.append(result)
        self._result.events.extend(events)
        if self.progress is not None:
            self.progress(
                RegionProgress(
                    result=result,
                    done=len(self._result.lookups),
                    total=self._total,
                    root_key=self._root,
                    keys=len({key for key, _ in self._scheduled}),
                )
            )


def build_timeline(
    sessions: Sessions,
    key_id: str,
    account_id: str,
    *,
    config: AnalysisConfig,
    start: datetime,
    end: datetime,
    regions: Sequence[str] = (),
    depth: int = DEFAULT_DEPTH,
    progress: ProgressCallback | None = None,
    buckets: BucketRegistry = LOOKUP_BUCKETS,
    max_workers: int = 32,
) -> TimelineReport:
    """Fetch, merge, follow and tag: the whole timeline of one key, with the state now (from
    IAM) of every key it created and of everything else it left behind."""
    fetched = TimelineFetcher(
        sessions,
        start=start,
        end=end,
        regions=regions,
        depth=depth,
        buckets=buckets,
        max_workers=max_workers,
        progress=progress,
    ).run(key_id, account_id)
    analysis = analyze_events(merge_events(fetched.events), config, fetched.derived)
    fields = {name: getattr(analysis, name) for name in Analysis.__dataclass_fields__}
    fields["keys"] = read_key_states(sessions, analysis.keys)
    return TimelineReport(
        **fields,
        footprint=read_footprint(sessions, footprint(analysis.events)),
        key_id=key_id,
        account_id=account_id,
        start=start,
        end=end,
        lookups=fetched.lookups,
    )
