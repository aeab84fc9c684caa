"""What a responder reads first: the source addresses, and the events that matter most."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.analysis.catalog import RULES
from bot.analysis.networks import SourceKind, in_networks, source_kind
from bot.analysis.report import IpSummary
from bot.analysis.tagging import AnalysisConfig
from bot.events import TimelineEvent


def ip_summaries(events: Sequence[TimelineEvent], config: AnalysisConfig) -> list[IpSummary]:
    """Each source address with its count, place and whether it is in the known networks.

    Counted in plain dicts first: a model's attribute assignment per event cost more than
    the rest of the analysis of it.
    """
    counts: dict[str, int] = {}
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for event in events:
        if event.source_ip:
            counts[event.source_ip] = counts.get(event.source_ip, 0) + 1
            first.setdefault(event.source_ip, event.time)
            last[event.source_ip] = event.time
    summaries = []
    for ip, count in counts.items():
        entry = _describe(ip, config)
        entry.events, entry.first_seen, entry.last_seen = count, first[ip], last[ip]
        summaries.append(entry)
    return sorted(summaries, key=lambda s: (-s.events, s.ip))


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
