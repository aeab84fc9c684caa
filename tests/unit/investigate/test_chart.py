"""The timeline chart: a real PNG of a fixed size, the same bytes for the same timeline."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from bot.investigate.chart import MAX_ROWS, OTHER, Mark, rows, timeline_png
from bot.models import TimelineEvent

T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def events() -> list[TimelineEvent]:
    found = []
    for n in range(40):
        ip = f"198.51.100.{n % 11}"
        error = "AccessDenied" if n > 25 else ""
        found.append(
            TimelineEvent(
                event_id=f"e{n}",
                time=T0 + timedelta(minutes=n),
                source_ip=ip,
                event_name="ListBuckets",
                error_code=error,
            )
        )
    return found


def test_the_chart_is_a_png_of_the_documented_size_and_draws_the_same_twice() -> None:
    marks = [Mark(T0 + timedelta(minutes=25), "deactivate-key 03:25:00 UTC")]
    png = timeline_png(events(), marks, "AKIAEXAMPLE: 40 CloudTrail events")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1000, 480)
    assert 10_000 < len(png) < 400_000
    assert timeline_png(events(), marks, "AKIAEXAMPLE: 40 CloudTrail events") == png


def test_an_empty_timeline_still_draws() -> None:
    assert timeline_png([], [], "nothing")[:4] == b"\x89PNG"


def test_the_busiest_addresses_get_rows_and_the_rest_share_one() -> None:
    shown = rows(events())
    assert len(shown) == MAX_ROWS and shown[-1] == OTHER
    assert shown[0] == "198.51.100.0"
