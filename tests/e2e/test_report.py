"""The incident written up: the Report button and `keycheck report`, from the store alone."""

from __future__ import annotations

import struct
from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from bot.analysis.context import analysis_config
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.report import TimelineReport
from bot.cli.main import main
from bot.config import Settings
from bot.models import ActionKind, Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from tests.conftest import RESPONDER
from tests.e2e.conftest import ACCOUNT, T0, Responder, card_value, messages_text, replies
from tests.e2e.test_timeline_button import trail

BUCKET = "keycheck-evidence"
PNG = b"\x89PNG\r\n\x1a\n"
__all__ = ["trail"]  # the CloudTrail stand-in fixture, shared with the timeline's tests


def fetched(settings: Settings, key_id: str) -> TimelineReport:
    """The seed's recon burst, analysed as a fetched timeline would be."""
    events = [event_from_record(r) for r in scenario.recon_records(ACCOUNT, key_id, T0)]
    analysis = analyze(events, analysis_config(settings), keys=[key_id])
    return TimelineReport(
        **analysis.model_dump(),
        key_id=key_id,
        account_id=ACCOUNT,
        start=T0 - timedelta(days=1),
        end=T0 + timedelta(hours=1),
    )


@pytest.fixture
def worked(runtime: Runtime, settings: Settings, incident: Incident) -> TimelineReport:
    """The incident after a deactivation and a timeline fetch: what a report should hold."""
    services = runtime.services
    services.responder.request(
        ActionKind.DEACTIVATE_KEY,
        incident.access_key_id,
        ACCOUNT,
        actor=RESPONDER,
        reason="seen in a public gist",
        incident_id=incident.id,
    )
    report = fetched(settings, incident.access_key_id)
    assert services.timelines.after is not None
    services.timelines.after(incident, report, RESPONDER, (incident.channel, incident.thread_ts))
    return report


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_keycheck_report_writes_markdown_whose_actions_and_timeline_match_the_store(
    runtime: Runtime,
    incident: Incident,
    worked: TimelineReport,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEYCHECK_STORE_URL", settings.store_url)
    assert main(["report", incident.id, "--output", str(tmp_path)]) == 0

    text = (tmp_path / f"report-{incident.id}.md").read_text()
    actions = runtime.services.store.actions_for(incident.id)
    table = text.split("## Actions")[1].split("## Open items")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "When" not in line]
    assert len(rows) == len(actions)
    for row, record in zip(rows, actions, strict=True):
        assert record.action.value in row
    assert "seen in a public gist" in table and "Inactive" in table
    timeline = text.split("## Timeline")[1].split("## Actions")[0]
    assert f"{len(worked.events)} events kept, {len(worked.findings)} findings" in timeline
    for finding in worked.findings:
        assert f"`{finding.rule.value}`" in timeline
    assert "### Recon" in timeline
    assert f"![The timeline: calls per source address](timeline-{incident.id}.png)" in timeline
    width, height = png_size((tmp_path / f"timeline-{incident.id}.png").read_bytes())
    assert (width, height) == (1000, 480)
    assert "## Open items" in text and "not closed" in text


@pytest.mark.settings(evidence_bucket=BUCKET)
def test_the_report_button_uploads_to_the_thread_and_the_evidence_bucket(
    runtime: Runtime,
    slack: SlackStandIn,
    aws: boto3.Session,
    incident: Incident,
    worked: TimelineReport,
    responder: Responder,
    stranger: Responder,
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    stranger.click(ActionId.REPORT, card_value(incident), incident)
    responder.click(ActionId.REPORT, card_value(incident), incident)

    said = slack.wait_for(
        lambda s: [m for m in replies(s, incident) if "asked for the report" in str(m)],
        timeout=30,
    )
    assert f"<@{RESPONDER}>" in messages_text(said)
    assert "uploaded to the incident's thread" in messages_text(said)
    names = {f.name for f in slack.files()}
    assert {f"report-{incident.id}.md", f"timeline-{incident.id}.png"} <= names
    stored = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{incident.id}/")["Contents"]
    assert {o["Key"] for o in stored} >= {f"{incident.id}/report-{incident.id}.md"}
    reports = [f for f in slack.files() if f.name.startswith("report-")]
    assert len(reports) == 1


def test_a_fetched_timeline_is_kept_in_the_audit_log_and_its_chart_follows_the_summary(
    runtime: Runtime,
    responder: Responder,
    incident: Incident,
    slack: SlackStandIn,
    trail: CloudTrailStandIn,
) -> None:
    assert responder.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    chart = slack.wait_for(
        lambda s: [f for f in s.files() if f.name == f"timeline-{incident.id}.png" and f.content],
        timeout=60,
    )[0]
    assert chart.content is not None and png_size(chart.content) == (1000, 480)
    [kept] = [
        r
        for r in runtime.services.store.actions_for(incident.id)
        if r.action is ActionKind.TIMELINE
    ]
    assert kept.actor == RESPONDER and kept.after["event_count"] >= 6
    assert {f["rule"] for f in kept.after["findings"]} >= {"recon.enumeration"}
