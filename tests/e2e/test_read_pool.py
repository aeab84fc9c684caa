"""Read-only work anyone may ask for never holds up containment.

Timelines (and look-ups) run on their own few threads with a short queue: with every
CloudTrail call stalled and a stranger pressing Timeline on every card, a responder's
Deactivate still opens its modal at once and runs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from bot.models import Incident
from bot.runtime.compose import WORK_THREADS
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.slack import SlackStandIn
from tests.conftest import STRANGER
from tests.e2e.conftest import (
    ACCOUNT,
    T0,
    TOPIC,
    Responder,
    card_value,
    confirm_view,
    messages_text,
    replies,
)
from tests.unit.analysis.support import cloudtrail_standin

CARDS = WORK_THREADS + 1


@pytest.fixture
def stalled(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The CloudTrail stand-in answering nothing until the test lets it go."""
    go = threading.Event()
    with cloudtrail_standin(monkeypatch) as standin:
        admit = standin._admit

        def stall(place: tuple[str, str], now: float) -> None:
            go.wait(60)
            admit(place, now)

        monkeypatch.setattr(standin, "_admit", stall)
        yield go
        go.set()


def cards(runtime: Runtime, aws: boto3.Session) -> list[Incident]:
    """One card per leaked key, each with its own Timeline button."""
    found = []
    for n in range(CARDS):
        key = str(seed_leaked_user(aws.client("iam"), f"svc-{n}")["AccessKeyId"])
        record = scenario.recon_records(ACCOUNT, key, T0 + timedelta(minutes=n))[0]
        runtime.ingest.handle(scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC))
        incident = runtime.services.store.find_incident(ACCOUNT, key)
        assert incident is not None
        found.append(incident)
    return found


def test_a_responders_deactivate_runs_while_timelines_are_stalled(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    stalled: threading.Event,
    responder: Responder,
    stranger: Responder,
) -> None:
    incidents = cards(runtime, aws)
    for incident in incidents:
        assert stranger.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    target = incidents[0]

    responder.click(ActionId.DEACTIVATE_KEY, card_value(target), target)
    responder.submit(confirm_view(slack, timeout=10), reason="leaked while trails stall")

    def deactivated(s: SlackStandIn) -> list[dict[str, Any]] | None:
        done = [m for m in replies(s, target) if "now Inactive" in messages_text([m])]
        return done or None

    assert slack.wait_for(deactivated, 10)
    busy = [e for e in slack.ephemerals(target.channel) if e["ephemeral_to"] == STRANGER]
    assert any("busy with other look-ups and timelines" in e["text"] for e in busy)
    runtime.services.reads.shutdown(wait=False, cancel_futures=True)
