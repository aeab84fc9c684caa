"""What a responder reads first: the source addresses, and the events that matter most."""

from __future__ import annotations

from collections.abc import Sequence

from bot.analysis.catalog import RULES
from bot.analysis.networks import SourceKind, in_networks, source_kind
from bot.analysis.report import IpSummary
from bot.analysis.tagging import AnalysisConfig
from bot.models import TimelineEvent


def ip_summaries(events: Sequence[TimelineEvent], config: AnalysisConfig) -> list[IpSummary]:
    """Each source address with its count, place and whether it is in the known networks."""
    seen: dict[str, IpSummary] = {}
    for event in events:
        if not event.source_ip:
            continue
        entry = seen.get(event.source_ip)
        if entry is None:
            entry = seen[event.source_ip] = _describe(event.source_ip, config)
            entry.first_seen = event.time
        entry.events += 1
        entry.last_seen = event.time
    return sorted(seen.values(), key=lambda s: (-s.events, s.ip))


def _describe(ip: str, config: AnalysisConfig) -> IpSummary:
    kind = source_kind(ip)
    where = config.locator.locate(ip) if config.locator and kind is SourceKind.IP else None
    known = in_networks(ip, config.known_networks) if config.known_networks else None
    return IpSummary(
        ip=ip, events=0, kind=kind.value, location=where.label if where else "", known=known
    )


def importance(event: TimelineEvent) -> tuple[int, int]:
    """Worst severity among its tags, then how many rules it tripped."""
    ranks = [RULES[tag].severity.rank for tag in event.tags]
    return (max(ranks, default=-1), len(ranks))


def top_events(events: Sequence[TimelineEvent], limit: int = 10) -> list[TimelineEvent]:
    """The most important tagged events, shown in time order."""
    tagged = [event for event in events if event.tags]
    ranked = sorted(tagged, key=lambda e: (importance(e), -e.time.timestamp()), reverse=True)
    return sorted(ranked[:limit], key=lambda e: e.time)
