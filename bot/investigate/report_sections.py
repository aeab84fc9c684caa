"""The report's parts that other stages keep in the store: what the attacker's chain left
behind, as the newest kept timeline read it back from IAM, and what the watch after
containment saw. Each is drawn from the store alone, so the report is the same written
from Slack, from the terminal or after a restart.
"""

from __future__ import annotations

from bot.analysis.footprint import FootprintItem
from bot.domain.actions import watch_id
from bot.investigate.kept import kept_timeline
from bot.investigate.report import ReportSection, md, md_code
from bot.investigate.reporting import Section
from bot.models import Incident, utcnow
from bot.slack.watch_blocks import watch_head, watch_lines
from bot.store import Store


def footprint_section(store: Store) -> Section:
    """Every identity, key, grant and trust the chain made, with its state when last read."""

    def section(incident: Incident) -> ReportSection | None:
        report = kept_timeline(store.actions_for(incident.id))
        if report is None or not report.footprint:
            return None
        return ReportSection("What it left behind", [_item_line(i) for i in report.footprint])

    return section


def watch_section(store: Store) -> Section:
    """The watch on the contained key: denied retries by address, any success after the cut."""

    def section(incident: Incident) -> ReportSection | None:
        if not incident.access_key_id:
            return None
        watch = store.get_watch(watch_id(incident.account_id, incident.access_key_id))
        if watch is None:
            return None
        lines = [watch_head(watch, utcnow()), *watch_lines(watch)]
        return ReportSection("The watch after containment", [f"- {md(line)}" for line in lines])

    return section


def _item_line(item: FootprintItem) -> str:
    state = item.state or "state not read"
    made = item.time.isoformat(timespec="seconds")
    return f"- {md(item.label)}: **{md(state, 80)}** (made {made} by {md_code(item.by_key)})"
