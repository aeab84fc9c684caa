"""Fixtures for keycheck's responses end to end: a leaked key, its card, clicks and forms."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.modals import REASON_BLOCK, REASON_INPUT, SNOOZE_BLOCK, SNOOZE_INPUT
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER, SECOND_RESPONDER, STRANGER
from tests.support.cards import offered

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
T0 = datetime(2026, 11, 21, 12, 11, 58, tzinfo=UTC)
ALERTS = "C0ALERTS"


@pytest.fixture(autouse=True)
def trail_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    """LookupEvents for every end-to-end test (moto has none): verify and the watch read it.

    A test that needs its own records uses this one, or starts another (its variable wins).
    """
    with CloudTrailStandIn() as standin:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", standin.url)
        yield standin


@pytest.fixture
def leaked(aws: boto3.Session) -> str:
    """The seeded user's one active long-term key."""
    return str(seed_leaked_user(aws.client("iam"), scenario.USER)["AccessKeyId"])


def caller_identity_body(key_id: str) -> str:
    record = scenario.recon_records(ACCOUNT, key_id, T0)[0]
    return scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)


@pytest.fixture
def incident(runtime: Runtime, slack: SlackStandIn, leaked: str) -> Incident:
    """The leaked key's incident, its card already in #security-alerts."""
    runtime.ingest.handle(caller_identity_body(leaked))
    found = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert found is not None and found.thread_ts
    return found


def messages_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(m.get("blocks", [])) + m.get("text", "") for m in messages)


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A message's actions by action id (the first of each): buttons in actions blocks or
    beside text, and the overflow menu's choices with the button value each carries."""
    return offered(message.get("blocks", []))


def replies(slack: SlackStandIn, incident: Incident) -> list[dict[str, Any]]:
    """The incident thread's replies, without the card."""
    return slack.thread(incident.channel, incident.thread_ts)[1:]


def wait_replies(
    slack: SlackStandIn, incident: Incident, count: int, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The thread's first `count` replies, once there are that many."""

    def enough(s: SlackStandIn) -> list[dict[str, Any]] | None:
        found = replies(s, incident)
        return found[:count] if len(found) >= count else None

    return slack.wait_for(enough, timeout)


def confirm_views(slack: SlackStandIn, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    """The first `count` modals once filled in with their plan (they have a submit button)."""

    def ready(s: SlackStandIn) -> list[dict[str, Any]] | None:
        views = s.views()
        filled = [v for v in views if "submit" in v]
        return filled if len(views) >= count and len(filled) >= count else None

    return slack.wait_for(ready, timeout)[:count]


def confirm_view(slack: SlackStandIn, timeout: float = 15.0) -> dict[str, Any]:
    return confirm_views(slack, 1, timeout)[0]


@dataclass
class Responder:
    """One person pressing buttons and filling forms, as Slack would send them."""

    requests: SlackRequests
    user: str

    def click(self, action: ActionId | str, value: ButtonValue | str, incident: Incident) -> int:
        raw = value.encode() if isinstance(value, ButtonValue) else value
        status, _ = self.requests.click(
            str(action),
            raw,
            user=self.user,
            channel=incident.channel,
            message_ts=incident.thread_ts,
        )
        return status

    def submit(self, view: dict[str, Any], reason: str = "", snooze: str = "") -> tuple[int, str]:
        values: dict[str, Any] = {}
        if reason:
            values[REASON_BLOCK] = {REASON_INPUT: {"type": "plain_text_input", "value": reason}}
        if snooze:
            option = {"value": snooze, "text": {"type": "plain_text", "text": snooze}}
            values[SNOOZE_BLOCK] = {
                SNOOZE_INPUT: {"type": "radio_buttons", "selected_option": option}
            }
        return self.requests.submit(view, user=self.user, values=values)


@pytest.fixture
def responder(slack_requests: SlackRequests) -> Responder:
    return Responder(slack_requests, RESPONDER)


@pytest.fixture
def stranger(slack_requests: SlackRequests) -> Responder:
    return Responder(slack_requests, STRANGER)


@pytest.fixture
def second_responder(slack_requests: SlackRequests) -> Responder:
    return Responder(slack_requests, SECOND_RESPONDER)


def card_value(incident: Incident) -> ButtonValue:
    return ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id)
