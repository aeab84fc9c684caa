"""Alerts that name no key: each kind gets its own incident, and none hides another."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.models import IncidentStatus, utcnow
from bot.runtime.process import Runtime
from bot.standins.slack import SlackStandIn
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "alerts"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def unrecognised(n: int) -> str:
    return json.dumps({"source": "example.scanner", "detail-type": "Finding", "n": n})


def test_a_root_usage_alarm_after_an_acknowledged_finding_gets_its_own_card(
    runtime: Runtime, slack: SlackStandIn
) -> None:
    """Finding: both were subject "unrecognised", so the alarm joined the snoozed incident."""
    runtime.ingest.handle(fixture("securityhub_finding.json"))
    [card] = slack.channel_messages("C0ALERTS")
    incident = runtime.services.store.find_incident_by_thread("C0ALERTS", card["ts"])
    assert incident is not None
    incident.status = IncidentStatus.ACKNOWLEDGED
    incident.snoozed_until = utcnow() + timedelta(hours=4)
    runtime.services.store.save_incident(incident)

    runtime.ingest.handle(fixture("cloudwatch_alarm_root_usage.json"))

    cards = slack.channel_messages("C0ALERTS")
    assert len(cards) == 2
    assert "root" in json.dumps(cards[1]).lower()


def test_each_unrecognised_alert_has_its_raw_json_in_the_thread(
    runtime: Runtime, slack: SlackStandIn
) -> None:
    """Finding: 21 unrecognised alerts showed the raw JSON of only the first one."""
    for n in range(3):
        runtime.ingest.handle(unrecognised(n))

    uploaded = [json.loads(f.content or b"") for f in slack.files()]
    assert sorted(body["n"] for body in uploaded) == [0, 1, 2]
