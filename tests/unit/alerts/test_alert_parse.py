"""The dispatcher: every fixture lands in the right parser, and no payload shape crashes it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.alerts.parse import parse_body
from bot.domain.keys import KEY_ID
from bot.errors import BadEnvelope
from bot.models import Alert, AlertKind

Parse = Callable[[str | dict[str, Any]], list[Alert]]
Load = Callable[[str], dict[str, Any]]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alerts"
REPLACEMENTS: tuple[object, ...] = (None, 7, [], {"x": 1}, "nonsense")

EXPECTED = {
    "eventbridge_getcalleridentity.json": [AlertKind.CLOUDTRAIL_API_CALL],
    "sns_eventbridge_getcalleridentity.json": [AlertKind.CLOUDTRAIL_API_CALL],
    "eventbridge_console_signin_no_mfa.json": [AlertKind.CLOUDTRAIL_API_CALL],
    "eventbridge_unapproved_region.json": [AlertKind.CLOUDTRAIL_API_CALL],
    "sns_cloudwatch_alarm_access_denied.json": [AlertKind.CLOUDWATCH_ALARM],
    "cloudwatch_alarm_root_usage.json": [AlertKind.CLOUDWATCH_ALARM],
    "cloudwatch_alarm_ok.json": [AlertKind.CLOUDWATCH_ALARM],
    "guardduty_iam_anomalous_behavior.json": [AlertKind.GUARDDUTY],
    "guardduty_instance_credential_exfiltration.json": [AlertKind.GUARDDUTY],
    "guardduty_attack_sequence.json": [AlertKind.GUARDDUTY],
    "guardduty_sample.json": [AlertKind.GUARDDUTY],
    "health_credentials_exposed.json": [AlertKind.HEALTH],
    "health_compromise_suspected.json": [AlertKind.HEALTH, AlertKind.HEALTH],
    "health_iam_quarantine.json": [AlertKind.HEALTH],
    "cloudtrail_record.json": [AlertKind.CLOUDTRAIL_RECORD],
    "cloudtrail_batch.json": [AlertKind.CLOUDTRAIL_RECORD] * 4,
    "sns_subscription_confirmation.json": [AlertKind.UNRECOGNISED],
    "securityhub_finding.json": [AlertKind.UNRECOGNISED],
    "cloudtrail_log_delivery.json": [AlertKind.UNRECOGNISED],
    "sns_text_message.json": [AlertKind.UNRECOGNISED],
}


def test_every_fixture_is_covered() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize(("name", "kinds"), sorted(EXPECTED.items()))
def test_fixture_parses_into_its_kind(
    alerts_from: Parse, name: str, kinds: list[AlertKind]
) -> None:
    alerts = alerts_from(name)

    assert [a.kind for a in alerts] == kinds
    for alert in alerts:
        assert alert.dedup_key
        assert alert.title
        assert alert.raw
        assert alert.access_key_id == "" or KEY_ID.match(alert.access_key_id)
        assert all(isinstance(v, str) and v for v in alert.details.values())


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 5) -> Iterator[tuple[Any, ...]]:
    if depth == 0:
        return
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))[:3]
    for key, child in children:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key), depth - 1)


def _replaced(payload: Any, path: tuple[Any, ...], new: object) -> Any:
    mutated = copy.deepcopy(payload)
    target = mutated
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return mutated


def _bodies(payload: dict[str, Any]) -> Iterator[tuple[dict[str, Any], bool]]:
    """The payload, and for an SNS wrapper the JSON inside it too; True for the wrapper."""
    wrapper = payload.get("Type") in {"Notification", "SubscriptionConfirmation"}
    yield payload, wrapper
    if wrapper:
        try:
            yield json.loads(payload["Message"]), False
        except ValueError:
            return


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_field_of_the_wrong_type_crashes_a_parser(load_event: Load, name: str) -> None:
    """Each field in turn replaced by null, a number, a list, an object and a string."""
    for payload, wrapper in _bodies(load_event(name)):
        for path in _paths(payload):
            for new in REPLACEMENTS:
                body = json.dumps(_replaced(payload, path, new))
                try:
                    alerts = parse_body(body, max_bytes=1 << 20)
                except BadEnvelope:
                    assert wrapper, (path, new)
                    assert len(path) == 1, (path, new)
                    continue
                assert alerts, (path, new)
                assert all(a.dedup_key and a.title for a in alerts), (path, new)
