"""Findings: the tagged events grouped per rule, with a summary a responder can act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from bot.analysis.bursts import actor
from bot.analysis.catalog import RULES
from bot.analysis.networks import in_networks
from bot.analysis.tagging import AnalysisConfig
from bot.analysis.travel import Hop, impossible_travel
from bot.events import Finding, RuleId, Severity, TimelineEvent

Summariser = Callable[[list[TimelineEvent], AnalysisConfig], str]


def call_name(event: TimelineEvent) -> str:
    """'iam:CreateUser' — the service's short name keeps IAM's CreateUser apart from Transfer's."""
    return f"{event.event_source.removesuffix('.amazonaws.com')}:{event.event_name}"


def _counted(values: Iterable[str], limit: int = 5) -> str:
    counts = Counter(value for value in values if value)
    shown = [f"{v} ×{n}" if n > 1 else v for v, n in counts.most_common(limit)]
    more = len(counts) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _plural(count: int, word: str) -> str:
    ending = "" if count == 1 else "es" if word.endswith("s") else "s"
    return f"{count} {word}{ending}"


def _who(events: list[TimelineEvent]) -> str:
    actors = _counted((actor(e) for e in events), limit=3)
    ips = _counted((e.source_ip for e in events), limit=3)
    return (f" by {actors}" if actors else "") + (f" from {ips}" if ips else "")


def _default(events: list[TimelineEvent], config: AnalysisConfig) -> str:
    calls = _counted(call_name(e) for e in events)
    failed = sum(1 for event in events if event.error_code)
    outcome = f" ({failed} failed)" if failed else ""
    return f"{_plural(len(events), 'call')}{outcome}: {calls}{_who(events)}"


def _enumeration(events: list[TimelineEvent], config: AnalysisConfig) -> str:
    distinct = {call_name(e) for e in events}
    span = (events[-1].time - events[0].time).total_seconds()
    names = ", ".join(dict.fromkeys(e.event_name for e in events))
    return (
        f"{_plural(len(events), 'discovery call')} ({len(distinct)} distinct) "
        f"within {_duration(span)}{_who(events)}: {names}"
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _regions(events: list[TimelineEvent], config: AnalysisConfig) -> str:
    approved = ", ".join(sorted(config.approved_regions))
    regions = _counted(e.region for e in events)
    return f"{_plural(len(events), 'call')} in {regions} (approved: {approved}){_who(events)}"


def _networks(events: list[TimelineEvent], config: AnalysisConfig) -> str:
    ips = {e.source_ip for e in events}
    addresses = _counted((e.source_ip for e in events), limit=5)
    return (
        f"{_plural(len(events), 'call')} from {_plural(len(ips), 'address')} outside "
        f"the known networks: {addresses}"
    )


def _travel_line(hop: Hop) -> str:
    speed = "instantly" if hop.hours <= 0 else f"{hop.speed_kmh:,.0f} km/h"
    return (
        f"{hop.before.source_ip} ({hop.origin.label}) → {hop.after.source_ip} "
        f"({hop.destination.label}): at least {hop.km:,.0f} km in "
        f"{_duration(hop.hours * 3600)} ({speed}) by {actor(hop.after)}"
    )


def _travel(events: list[TimelineEvent], config: AnalysisConfig) -> str:
    if config.locator is None:
        return _default(events, config)
    hops = list(impossible_travel(events, config.locator, config.max_speed_kmh))
    if not hops:
        return _default(events, config)
    worst = max(hops, key=lambda hop: hop.speed_kmh)
    more = f" ({_plural(len(hops), 'impossible hop')} in all)" if len(hops) > 1 else ""
    return _travel_line(worst) + more


def _collection(events: list[TimelineEvent], config: AnalysisConfig) -> str:
    params = [e.request_parameters for e in events]
    objects = {(p.get("bucketName"), p.get("key") or p.get("prefix")) for p in params}
    buckets = _counted(str(p.get("bucketName", "")) for p in params)
    span = (events[-1].time - events[0].time).total_seconds()
    return (
        f"{_plural(len(events), 'object call')} ({_plural(len(objects), 'distinct object')}) "
        f"within {_duration(span)} in {buckets}{_who(events)}"
    )


SUMMARISERS: dict[RuleId, Summariser] = {
    RuleId.RECON_ENUMERATION: _enumeration,
    RuleId.COLLECTION_S3: _collection,
    RuleId.REGION_UNAPPROVED: _regions,
    RuleId.NETWORK_UNKNOWN: _networks,
    RuleId.TRAVEL_IMPOSSIBLE: _travel,
}


def _one_lower(severity: Severity) -> Severity:
    """A failed attempt shows intent but changed nothing: one step less urgent."""
    levels = list(Severity)
    return levels[max(0, levels.index(severity) - 1)]


def _outside_known(events: list[TimelineEvent], config: AnalysisConfig) -> bool:
    return bool(config.known_networks) and any(
        in_networks(event.source_ip, config.known_networks) is False for event in events
    )


def _severity(rule: RuleId, events: list[TimelineEvent], config: AnalysisConfig) -> Severity:
    """The rule's severity; a bucket read in bulk from outside the known networks is theft."""
    if rule is RuleId.COLLECTION_S3 and _outside_known(events, config):
        return Severity.HIGH
    return RULES[rule].severity


def build_findings(events: Sequence[TimelineEvent], config: AnalysisConfig) -> list[Finding]:
    """One finding per rule that fired, in phase order (recon first), worst first within one."""
    by_rule: dict[RuleId, list[TimelineEvent]] = {}
    for event in events:
        for rule in event.tags:
            by_rule.setdefault(rule, []).append(event)
    findings = []
    for rule, tagged in by_rule.items():
        info = RULES[rule]
        summary = SUMMARISERS.get(rule, _default)(tagged, config)
        severity, title = _severity(rule, tagged, config), info.title
        if rule is not RuleId.ACCESS_DENIED and all(event.error_code for event in tagged):
            severity, title = _one_lower(severity), f"Attempted, failed: {title}"
        findings.append(
            Finding(
                rule=rule,
                technique=info.technique,
                severity=severity,
                event_ids=[event.event_id for event in tagged],
                summary=f"{title}: {summary}",
            )
        )
    return sorted(findings, key=lambda f: (RULES[f.rule].phase, -f.severity.rank))
