"""The Timeline button over signed HTTP: progress, summary and files in the thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Incident
from bot.slack.ids import ActionId, ButtonValue
from bot.standins import demo_scenario as scenario
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER
from tests.e2e.conftest import ACCOUNT, ALERTS, Responder, buttons, card_value, replies
from tests.unit.analysis.support import cloudtrail_standin


@pytest.fixture
def trail(monkeypatch: pytest.MonkeyPatch, leaked: str) -> Iterator[CloudTrailStandIn]:
    """The seed's recon burst, yesterday, in the stand-in's us-east-1."""
    with cloudtrail_standin(monkeypatch) as standin:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        standin.add_records("us-east-1", scenario.recon_records(ACCOUNT, leaked, yesterday))
        yield standin


def _files(slack: SlackStandIn) -> list[str] | None:
    """The timeline's two files, once the summary that follows them is in too."""
    names = [f.name for f in slack.files()]
    threads = [slack.thread(ALERTS, m["ts"]) for m in slack.channel_messages(ALERTS)]
    summarised = any(" Timeline of " in str(m.get("text", "")) for t in threads for m in t)
    return names if len(names) >= 2 and summarised else None


def test_pressing_timeline_posts_the_recon_burst_and_the_files(
    responder: Responder,
    incident: Incident,
    slack: SlackStandIn,
    trail: CloudTrailStandIn,
) -> None:
    assert responder.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    names = slack.wait_for(_files, timeout=60)
    assert {f"timeline-{incident.id}.csv", f"timeline-{incident.id}.json"} <= set(names)
    text = json.dumps(replies(slack, incident), ensure_ascii=False)
    assert "recon.enumeration" in text
    assert "recon.caller_identity" in text
    assert "GetCallerIdentity, ListUsers, ListAccessKeys, ListRoles, ListPolicies, GetUser" in text
    assert trail.request_count("us-east-1") >= 1


def test_anyone_in_the_channel_may_read_the_timeline(
    stranger: Responder, incident: Incident, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    assert stranger.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    assert slack.wait_for(_files, timeout=60)


def test_a_button_for_an_unknown_incident_answers_only_the_presser(
    responder: Responder, incident: Incident, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    forged = ButtonValue(i="no-such-incident", k=incident.access_key_id, a=ACCOUNT)
    assert responder.click(ActionId.TIMELINE, forged, incident) == 200
    notes = slack.wait_for(lambda s: s.ephemerals(incident.channel), timeout=15)
    assert "no longer in keycheck" in json.dumps(notes)
    assert slack.files() == []


def test_the_timeline_button_on_a_keycheck_report_without_an_incident_works(
    slack_requests: SlackRequests, leaked: str, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    slack_requests.command(leaked, user=RESPONDER)
    [report] = slack.wait_for(lambda s: s.channel_messages(ALERTS), timeout=15)
    value = buttons(report)[ActionId.TIMELINE]["value"]
    assert '"i"' not in value

    status, _ = slack_requests.click(
        ActionId.TIMELINE, value, user=RESPONDER, channel=ALERTS, message_ts=report["ts"]
    )

    assert status == 200
    names = slack.wait_for(_files, timeout=60)
    assert sorted(names) == [f"timeline-lookup-{leaked}.csv", f"timeline-lookup-{leaked}.json"]
    thread = slack.thread(ALERTS, report["ts"])
    assert "recon.enumeration" in json.dumps(thread, ensure_ascii=False)
    assert slack.ephemerals(ALERTS) == []
