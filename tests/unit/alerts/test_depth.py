"""Finding: a deeply nested alert was stored but could not be read back, stopping delivery."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.alerts.parse import parse_body
from bot.models import Alert, AlertKind
from bot.store import SqliteStore

MAX = 256 * 1024


def nested(levels: int) -> dict[str, Any]:
    """{"a": {"a": ... {}}}, `levels` objects deep, built without recursion."""
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"a": value}
    return value


def deep_event(load_event: Callable[[str], dict[str, Any]], levels: int) -> str:
    event = load_event("eventbridge_getcalleridentity.json")
    event["detail"]["requestParameters"] = nested(levels)
    return json.dumps(event)


@pytest.mark.parametrize("levels", [250, 490, 900])
def test_a_too_deep_payload_becomes_an_unrecognised_alert_that_reads_back(
    load_event: Callable[[str], dict[str, Any]], levels: int
) -> None:
    [alert] = parse_body(deep_event(load_event, levels), max_bytes=MAX)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert "nested deeper than" in alert.title
    store = SqliteStore(":memory:")
    store.record_alert(alert)
    [(back, _)] = store.unposted_alerts()
    assert back == Alert.model_validate_json(alert.model_dump_json())


def test_a_payload_nested_within_the_cap_is_parsed_as_usual(
    load_event: Callable[[str], dict[str, Any]],
) -> None:
    [alert] = parse_body(deep_event(load_event, 40), max_bytes=MAX)

    assert alert.kind is AlertKind.CLOUDTRAIL_API_CALL
    assert alert.events[0].request_parameters == nested(40)


def test_a_deep_subscription_confirmation_still_becomes_one_readable_alert(
    load_event: Callable[[str], dict[str, Any]],
) -> None:
    confirmation = load_event("sns_subscription_confirmation.json")
    confirmation["Extra"] = nested(900)
    [alert] = parse_body(json.dumps(confirmation), max_bytes=MAX)

    assert alert.kind is AlertKind.UNRECOGNISED
    store = SqliteStore(":memory:")
    store.record_alert(alert)
    assert [a.dedup_key for a, _ in store.unposted_alerts()] == [alert.dedup_key]
