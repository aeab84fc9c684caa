"""Finding: a parser exception sent the message to the DLQ instead of an unrecognised alert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.models import Alert, AlertKind


@pytest.mark.parametrize("event_time", [1e20, 67_768_036_191_676_800, -(2**70)])
def test_an_event_time_no_clock_can_hold_is_no_time_and_the_envelopes_is_used(
    load_event: Callable[[str], dict[str, Any]],
    alerts_from: Callable[[dict[str, Any]], list[Alert]],
    event_time: float,
) -> None:
    """As an unreadable eventTime string always was: the detection is kept, not 1970."""
    event = load_event("eventbridge_getcalleridentity.json")
    event["detail"]["eventTime"] = event_time

    [alert] = alerts_from(event)

    assert alert.kind is AlertKind.CLOUDTRAIL_API_CALL
    assert alert.occurred_at == datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)
