"""Finding: a parser exception sent the message to the DLQ instead of an unrecognised alert."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.models import Alert, AlertKind


@pytest.mark.parametrize("event_time", [1e20, 67_768_036_191_676_800, -(2**70)])
def test_an_event_time_no_clock_can_hold_gives_an_unrecognised_alert(
    load_event: Callable[[str], dict[str, Any]],
    alerts_from: Callable[[dict[str, Any]], list[Alert]],
    event_time: float,
) -> None:
    event = load_event("eventbridge_getcalleridentity.json")
    event["detail"]["eventTime"] = event_time

    [alert] = alerts_from(event)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title.startswith("Malformed EventBridge CloudTrail event")
