"""Events in, analysis out: merge, pick the keys asked about, tag, find, summarise."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.analysis.chains import DEFAULT_DEPTH, follow_chains, root_keys
from bot.analysis.findings import build_findings
from bot.analysis.merge import merge_events
from bot.analysis.report import Analysis, DerivedKey
from bot.analysis.summary import ip_summaries
from bot.analysis.tagging import AnalysisConfig, tag_events
from bot.events import TimelineEvent


def analyze_events(
    events: Sequence[TimelineEvent], config: AnalysisConfig, keys: Sequence[DerivedKey] = ()
) -> Analysis:
    """Tag already merged events and build the findings over them."""
    tag_events(events, config)
    return Analysis(
        events=list(events),
        findings=build_findings(events, config),
        keys=list(keys),
        ips=ip_summaries(events, config),
    )


def _created(event: TimelineEvent) -> str:
    """The key an IAM CreateAccessKey returned: the origin of a long-term key."""
    created = event.response_elements.get("accessKey")
    return str(created.get("accessKeyId", "")) if isinstance(created, dict) else ""


def analyze(
    events: Iterable[TimelineEvent],
    config: AnalysisConfig,
    *,
    keys: Sequence[str] = (),
    depth: int = DEFAULT_DEPTH,
) -> Analysis:
    """Analyse the given keys and every key they minted; without keys, everything given.

    With keys, the events that created them (CreateAccessKey, or the AssumeRole that
    returned them) are kept too: they say who made the key.
    """
    merged = merge_events(events)
    chains = follow_chains(merged, keys or root_keys(merged), depth)
    for event in merged:
        event.chain = chains.paths.get(event.access_key_id, [])
    if keys:
        reached = chains.paths
        merged = [
            e
            for e in merged
            if e.access_key_id in reached or _created(e) in reached or _minted_root(e, keys)
        ]
    return analyze_events(merged, config, chains.derived)


def _minted_root(event: TimelineEvent, roots: Sequence[str]) -> bool:
    credentials = event.response_elements.get("credentials")
    return isinstance(credentials, dict) and credentials.get("accessKeyId") in roots
