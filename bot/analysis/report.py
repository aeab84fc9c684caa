"""What an analysis or a timeline produces: the records Slack, the CLI and exports render.

Plain dataclasses, as `bot.events` are: `keycheck analyze` must not wait for pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.analysis.footprint import FootprintItem
from bot.events import Finding, TimelineEvent, utcnow


@dataclass(kw_only=True)
class DerivedKey:
    """A key minted by a key we followed: temporary (AssumeRole, GetSessionToken, …) or
    long-term (CreateAccessKey, for `user_name`); `status` is IAM's answer read back later."""

    access_key_id: str
    derived_from: str
    account_id: str = ""
    role_arn: str = ""
    session_name: str = ""
    via: str = ""
    event_id: str = ""
    minted_at: datetime | None = None
    chain: list[str] = field(default_factory=list)
    user_name: str = ""
    status: str = ""

    @property
    def how(self) -> str:
        """The call that minted it: DESIGN's `how` in the analyze JSON."""
        return self.via


@dataclass(kw_only=True)
class IpSummary:
    """One source address of the timeline, with where it is and whether it is ours."""

    ip: str
    events: int
    kind: str
    location: str = ""
    known: bool | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass(kw_only=True)
class Analysis:
    """Tagged events in time order, the findings over them, and the keys they minted."""

    events: list[TimelineEvent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    keys: list[DerivedKey] = field(default_factory=list)
    ips: list[IpSummary] = field(default_factory=list)

    @property
    def first_seen(self) -> datetime | None:
        return self.events[0].time if self.events else None

    @property
    def last_seen(self) -> datetime | None:
        return self.events[-1].time if self.events else None

    @property
    def regions(self) -> list[str]:
        """Regions with activity, busiest first."""
        counts: dict[str, int] = {}
        for event in self.events:
            if event.region:
                counts[event.region] = counts.get(event.region, 0) + 1
        return sorted(counts, key=lambda region: (-counts[region], region))


@dataclass(kw_only=True)
class RegionResult:
    """One (key, account, region) lookup: how many events, or why it failed."""

    region: str
    account_id: str = ""
    key_id: str = ""
    events: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(kw_only=True)
class RegionProgress:
    """Reported as each lookup finishes, so Slack and the terminal can show progress."""

    result: RegionResult
    done: int
    total: int
    root_key: str = ""
    keys: int = 1


@dataclass(kw_only=True)
class TimelineReport(Analysis):
    """A fetched timeline: the analysis plus the window and what every region answered."""

    key_id: str
    account_id: str = ""
    start: datetime
    end: datetime
    generated_at: datetime = field(default_factory=utcnow)
    lookups: list[RegionResult] = field(default_factory=list)
    footprint: list[FootprintItem] = field(default_factory=list)

    @property
    def failed(self) -> list[RegionResult]:
        return [lookup for lookup in self.lookups if not lookup.ok]
