"""The incident written up: one Markdown document for the postmortem, from the store alone.

Pure: it takes what the store holds (incident, alerts, the audit log with the kept
timeline) and what other parts add (footprint, watch, open items) and returns text.
Every value may be attacker-controlled (a user agent, a call's name, a user name), so
each goes through `md`: secrets redacted, one line, Markdown's characters escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.analysis.report import TimelineReport
from bot.domain.keys import redact_secrets
from bot.investigate.kept import kept_timeline
from bot.models import ActionKind, ActionRecord, Alert, Finding, Incident
from bot.slack.format import one_line, truncate, utc_datetime
from bot.slack.timeline_blocks import findings_by_phase

_MARKDOWN = re.compile(r"([\\`*_\[\]|~>])")
READ_BACK_LIMIT = 300
MAX_EVENT_IDS = 5


def md(value: object, limit: int = 300) -> str:
    """A value made inert in Markdown: no secret, no newline, no emphasis, link or table cut."""
    text = truncate(one_line(redact_secrets(str(value))), limit)
    return _MARKDOWN.sub(r"\\\1", text).replace("<", "&lt;") or "—"


def md_code(value: object, limit: int = 200) -> str:
    """A value as an inline code span: literal inside, but no backtick or table cut gets out."""
    text = truncate(one_line(redact_secrets(str(value))), limit).replace("`", "ˋ")
    return "`" + text.replace("|", "\\|") + "`" if text else "—"


@dataclass(frozen=True)
class ReportSection:
    """A part another stage contributes (the footprint, the watch): a heading and its lines."""

    title: str
    lines: list[str]


@dataclass(frozen=True)
class ReportInputs:
    """Everything the document says, gathered before it is written."""

    incident: Incident
    alerts: list[Alert]
    actions: list[ActionRecord]
    generated_at: datetime
    chart_file: str = ""
    sections: Sequence[ReportSection] = ()
    open_items: list[str] = field(default_factory=list)


def _when(moment: datetime | None) -> str:
    return utc_datetime(moment) if moment is not None else "—"


def summary(inputs: ReportInputs) -> list[str]:
    incident = inputs.incident
    owner = _owner_answer(inputs.actions)
    rows = [
        ("Incident", md_code(incident.id, 60)),
        ("Status", md(incident.status.value)),
        ("Severity", md(incident.severity.value)),
        ("Access key", md_code(incident.access_key_id or "none", 30)),
        ("Account", md_code(incident.account_id or "unknown", 20)),
        ("IAM user", md(incident.user_name or "unknown")),
        ("Alerts", str(incident.alert_count)),
        ("First seen", _when(incident.first_seen)),
        ("Last seen", _when(incident.last_seen)),
        ("AWS Support case", md(incident.case_id or "none")),
        ("Owner's answer", owner),
    ]
    return ["## Summary", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


def _owner_answer(actions: list[ActionRecord]) -> str:
    for record in actions:
        if record.action is ActionKind.OWNER_CONFIRMED:
            return f"it was them ({md(record.actor, 40)}): {md(record.reason)}"
        if record.action is ActionKind.OWNER_DENIED:
            return f"**not them** ({md(record.actor, 40)})"
    asked = any(r.action is ActionKind.OWNER_ASKED for r in actions)
    return "asked, no answer yet" if asked else "not asked (no owner found)"


def alerts(inputs: ReportInputs) -> list[str]:
    lines = ["## Alerts", "", f"{len(inputs.alerts)} stored.", ""]
    lines += [
        "| When (UTC) | Severity | What | Call | From | Region |",
        "|---|---|---|---|---|---|",
    ]
    for alert in inputs.alerts:
        call = f"{alert.event_source.removesuffix('.amazonaws.com')}:{alert.event_name}"
        lines.append(
            f"| {_when(alert.occurred_at or alert.received_at)} | {md(alert.severity.value)} "
            f"| {md(alert.title, 150)} | {md(call if alert.event_name else '', 80)} "
            f"| {md(alert.source_ip or '', 60)} | {md(alert.region or '', 30)} |"
        )
    return lines


def _finding(finding: Finding) -> str:
    ids = ", ".join(md_code(i, 60) for i in finding.event_ids[:MAX_EVENT_IDS])
    more = (
        f" and {len(finding.event_ids) - MAX_EVENT_IDS} more"
        if len(finding.event_ids) > MAX_EVENT_IDS
        else ""
    )
    return (
        f"- **{md(finding.severity.value)}** {md_code(finding.rule.value, 60)} "
        f"({md(finding.technique, 20)}): {md(finding.summary, 400)}. Events: {ids}{more}"
    )


def timeline(report: TimelineReport | None, chart_file: str) -> list[str]:
    lines = ["## Timeline", ""]
    if report is None:
        return [*lines, "No timeline was fetched for this incident."]
    lines.append(
        f"Key {md_code(report.key_id, 30)}, {_when(report.start)} to {_when(report.end)}: "
        f"{len(report.events)} events kept, {len(report.findings)} findings "
        f"(fetched {_when(report.generated_at)})."
    )
    if chart_file:
        lines += ["", f"![The timeline: calls per source address]({chart_file})"]
    for phase, findings in findings_by_phase(report.findings):
        lines += ["", f"### {phase.label}", "", *(_finding(f) for f in findings)]
    return lines


def _read_back(record: ActionRecord) -> str:
    if record.action is ActionKind.TIMELINE:
        after = record.after
        return f"{after.get('event_count', 0)} events, {len(after.get('findings', []))} findings"
    if record.error:
        return f"error: {md(record.error)}"
    return md(_compact(record.after), READ_BACK_LIMIT) if record.after else "—"


def _compact(values: dict[str, Any]) -> str:
    return "; ".join(f"{k}={json.dumps(v, default=str)}" for k, v in values.items())


def actions(inputs: ReportInputs) -> list[str]:
    lines = ["## Actions", "", "Every action in the audit log, oldest first.", ""]
    lines += [
        "| When (UTC) | Who | Action | Target | State | Reason | Read back |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in inputs.actions:
        who = md(r.actor, 60) + (f" (approved by {md(r.approved_by, 60)})" if r.approved_by else "")
        lines.append(
            f"| {_when(r.updated_at)} | {who} | {md(r.action.value)} "
            f"| {md_code(r.target, 60)} | {md(r.state.value)} | {md(r.reason or '', 300)} "
            f"| {_read_back(r)} |"
        )
    return lines


def open_items(inputs: ReportInputs) -> list[str]:
    items = inputs.open_items or ["Nothing is open."]
    return ["## Open items", "", *(f"- {md(item, 400)}" for item in items)]


def extra(section: ReportSection) -> list[str]:
    return [f"## {md(section.title, 80)}", "", *section.lines]


def incident_report(inputs: ReportInputs) -> str:
    """The whole document: summary, alerts, timeline by phase, extras, actions, open items."""
    incident = inputs.incident
    parts = [
        [
            f"# Incident report: {md(incident.title, 150)}",
            "",
            f"Written by keycheck at {_when(inputs.generated_at)}.",
        ],
        summary(inputs),
        alerts(inputs),
        timeline(kept_timeline(inputs.actions), inputs.chart_file),
        *(extra(section) for section in inputs.sections),
        actions(inputs),
        open_items(inputs),
    ]
    return "\n\n".join("\n".join(part) for part in parts) + "\n"
