"""A fetched timeline kept in the audit log reads back as it was, within a store item's size."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.analysis.report import TimelineReport
from bot.investigate.kept import MAX_KEPT_EVENTS, kept_timeline, timeline_record
from bot.models import ActionKind, Finding, Incident, RuleId, Severity, TimelineEvent

T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
KEY = "AKIAIOSFODNN7EXAMPLE"


def report(count: int) -> TimelineReport:
    events = [
        TimelineEvent(
            event_id=f"e{n}",
            time=T0 + timedelta(seconds=n),
            source_ip="198.51.100.50",
            event_name="ListBuckets",
            error_code="AccessDenied",
            access_key_id=KEY,
            tags=[RuleId.ACCESS_DENIED],
        )
        for n in range(count)
    ]
    finding = Finding(
        rule=RuleId.ACCESS_DENIED,
        technique="T1078.004",
        severity=Severity.LOW,
        event_ids=[e.event_id for e in events],
        summary=f"{count} calls denied",
    )
    return TimelineReport(
        key_id=KEY, start=T0, end=T0 + timedelta(hours=1), events=events, findings=[finding]
    )


def incident() -> Incident:
    return Incident(
        id="inc-1", account_id="123456789012", subject=KEY, title="t", severity=Severity.LOW
    )


def test_a_kept_timeline_reads_back_with_its_events_and_findings() -> None:
    fetched = report(12)
    record = timeline_record(incident(), fetched, "U0ALICE")
    assert record.action is ActionKind.TIMELINE and record.actor == "U0ALICE"
    back = kept_timeline([record])
    assert back is not None
    assert [e.event_id for e in back.events] == [e.event_id for e in fetched.events]
    assert back.events[0].time == T0 and back.events[0].tags == [RuleId.ACCESS_DENIED]
    assert back.findings == fetched.findings
    assert kept_timeline([]) is None


def test_a_huge_timeline_keeps_its_newest_events_and_fits_a_dynamodb_item() -> None:
    record = timeline_record(incident(), report(5000), "U0ALICE")
    assert record.after["event_count"] == 5000
    assert len(record.after["events"]) == MAX_KEPT_EVENTS
    assert record.after["events"][-1]["event_id"] == "e4999"
    assert len(record.model_dump_json()) < 300_000
    assert json.loads(record.model_dump_json())["after"]["findings"][0]["summary"] == (
        "5000 calls denied"
    )
