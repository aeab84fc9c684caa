"""A fetched timeline kept in the incident's audit log, so the report and its chart can be
drawn later from the store alone (after a restart, from the terminal, with Slack down).

Each fetch is one `timeline` action record: who asked, when, and in `after` the window,
the findings and the events (their time, address, call and error: what the report and
the chart show, capped so one record stays well inside a DynamoDB item).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import msgspec

from bot.analysis.footprint import FootprintItem
from bot.analysis.report import TimelineReport
from bot.domain.actions import new_action_id
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Finding,
    Incident,
    TimelineEvent,
)

# About 400 bytes an event: 500 of them and the findings stay far below DynamoDB's 400 KB item.
MAX_KEPT_EVENTS = 500
MAX_KEPT_EVENT_IDS = 20
EVENT_FIELDS = {"event_id", "time", "region", "event_source", "event_name", "source_ip"}
EVENT_FIELDS |= {"error_code", "access_key_id", "tags"}
CONTAINMENT = frozenset(
    {
        ActionKind.DEACTIVATE_KEY,
        ActionKind.ATTACH_DENY_ALL,
        ActionKind.REVOKE_SESSIONS,
    }
)


def timeline_record(incident: Incident, report: TimelineReport, actor: str) -> ActionRecord:
    """The record of one fetch, done; the newest events are kept when there are too many."""
    events = report.events[-MAX_KEPT_EVENTS:]
    return ActionRecord(
        id=new_action_id(),
        idempotency_key=f"timeline|{incident.id}|{report.key_id}|{report.generated_at.isoformat()}",
        action=ActionKind.TIMELINE,
        actor=actor or "keycheck",
        incident_id=incident.id,
        target=report.key_id,
        account_id=report.account_id or incident.account_id,
        state=ActionState.DONE,
        source="timeline",
        after={
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "event_count": len(report.events),
            "events": [_kept_event(event) for event in events],
            "findings": [_kept(finding) for finding in report.findings],
            "footprint": msgspec.to_builtins(report.footprint),
        },
    )


def _kept_event(event: TimelineEvent) -> dict[str, Any]:
    fields: dict[str, Any] = msgspec.to_builtins(event)
    return {name: value for name, value in fields.items() if name in EVENT_FIELDS}


def _kept(finding: Finding) -> dict[str, object]:
    """A finding as kept: its first event ids only (a denied-calls finding may name thousands)."""
    kept = replace(finding, event_ids=finding.event_ids[:MAX_KEPT_EVENT_IDS])
    fields: dict[str, object] = msgspec.to_builtins(kept)
    return fields


def kept_timeline(actions: list[ActionRecord]) -> TimelineReport | None:
    """The newest timeline fetched for the incident, as it was kept; None if none was."""
    fetched = [
        r for r in actions if r.action is ActionKind.TIMELINE and r.state is ActionState.DONE
    ]
    if not fetched:
        return None
    record = fetched[-1]
    after = record.after
    return TimelineReport(
        key_id=record.target,
        account_id=record.account_id,
        start=datetime.fromisoformat(str(after["start"])),
        end=datetime.fromisoformat(str(after["end"])),
        generated_at=record.updated_at,
        events=[msgspec.convert(e, TimelineEvent) for e in after.get("events", [])],
        findings=[msgspec.convert(f, Finding) for f in after.get("findings", [])],
        footprint=[msgspec.convert(f, FootprintItem) for f in after.get("footprint", [])],
    )


def containment_moments(actions: list[ActionRecord]) -> list[tuple[datetime, str]]:
    """When each containment step took effect (first of each kind), for the chart's lines."""
    seen: dict[ActionKind, datetime] = {}
    for record in actions:
        if record.action in CONTAINMENT and record.state is ActionState.DONE:
            seen.setdefault(record.action, record.updated_at)
    return sorted((at, kind.value) for kind, at in seen.items())
