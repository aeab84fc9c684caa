"""The report says what the chain left behind and what the watch saw, from the store alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.analysis.footprint import FootprintItem, FootprintKind
from bot.analysis.report import TimelineReport
from bot.domain.actions import watch_id
from bot.investigate.kept import kept_timeline, timeline_record
from bot.investigate.report import ReportInputs, incident_report
from bot.investigate.report_sections import footprint_section, watch_section
from bot.models import DeniedFrom, Incident, Severity, Watch
from bot.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
KEY = "AKIAIOSFODNN7EXAMPLE"
ACCOUNT = "123456789012"
BACKDOOR = "AKIAEXAMPLEBACKDOOR7"


def incident() -> Incident:
    return Incident(
        id="inc-1",
        account_id=ACCOUNT,
        subject=KEY,
        title="t",
        severity=Severity.HIGH,
        access_key_id=KEY,
    )


def left_behind() -> list[FootprintItem]:
    made = {"account_id": ACCOUNT, "time": T0, "by_key": KEY}
    return [
        FootprintItem(
            kind=FootprintKind.ACCESS_KEY,
            target="backdoor",
            detail=BACKDOOR,
            event_id="e1",
            state="Active",
            **made,
        ),
        FootprintItem(
            kind=FootprintKind.ATTACHED_POLICY,
            target="backdoor",
            detail="arn:aws:iam::aws:policy/AdministratorAccess",
            event_id="e2",
            state="still attached",
            **made,
        ),
    ]


def written(store: SqliteStore) -> str:
    sections = [footprint_section(store), watch_section(store)]
    found = [s for s in (section(incident()) for section in sections) if s]
    inputs = ReportInputs(
        incident=incident(),
        alerts=[],
        actions=store.actions_for("inc-1"),
        generated_at=T0,
        sections=found,
    )
    return incident_report(inputs)


def test_the_footprint_and_the_watch_are_in_the_report(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "k.sqlite3")
    fetched = TimelineReport(key_id=KEY, account_id=ACCOUNT, start=T0, end=T0 + timedelta(hours=1))
    fetched.footprint = left_behind()
    store.begin_action(timeline_record(incident(), fetched, "U0ALICE"))
    denied = DeniedFrom(source_ip="198.51.100.50", count=14, first=T0, last=T0)
    store.save_watch(
        Watch(
            id=watch_id(ACCOUNT, KEY),
            access_key_id=KEY,
            account_id=ACCOUNT,
            incident_id="inc-1",
            cutoff=T0,
            until=T0 + timedelta(minutes=30),
            keys=[KEY],
            denied=[denied],
            succeeded=["e9"],
        )
    )

    text = written(store)

    assert "## What it left behind" in text
    assert f"access key {BACKDOOR} of user backdoor: **Active**" in text
    assert "AdministratorAccess attached to user backdoor: **still attached**" in text
    assert "## The watch after containment" in text
    assert "14 denied calls from 198.51.100.50" in text
    assert "1 call SUCCEEDED after the cut-off" in text


def test_a_kept_timeline_keeps_its_footprint_and_an_incident_without_either_has_no_section(
    tmp_path: Path,
) -> None:
    fetched = TimelineReport(key_id=KEY, start=T0, end=T0)
    fetched.footprint = left_behind()
    back = kept_timeline([timeline_record(incident(), fetched, "U0ALICE")])
    assert back is not None and back.footprint == fetched.footprint

    text = written(SqliteStore(tmp_path / "empty.sqlite3"))
    assert "What it left behind" not in text and "The watch" not in text
