"""A bounded fuzz run of every alert parser, the store's round trip and the trail parsers.

The property tests' strategies, with KEYCHECK_FUZZ_EXAMPLES examples each (2000) instead
of the suite's 80: any JSON value, any known envelope with any fields, anything inside
SNS, any byte string, any CloudTrail file, record or LookupEvents item. A failure is a
finding (hypothesis prints the smallest input). Printed per target: examples a second,
and the time against generating the same examples alone, in the same process.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.alerts.parse import parse_body
from bot.analysis.records import event_from_record, record_from_lookup
from tests.support.json_values import DEEP, JSON, TEXT
from tests.unit.alerts.test_properties import (
    MAX,
    SHAPES,
    alerts_or_refusal,
    assert_stored_and_read_back,
    sns,
)
from tests.unit.analysis.test_properties import FILES, RECORD, scanned_or_refused

EXAMPLES = int(os.environ.get("KEYCHECK_FUZZ_EXAMPLES", "2000"))
BYTES = st.binary(max_size=2000) | st.builds(lambda n: b"[" * n, st.integers(0, 5000))
LOOKUP = st.fixed_dictionaries({}, optional={"CloudTrailEvent": TEXT | JSON, "EventId": TEXT})


def _parse_and_store(body: str | bytes) -> None:
    assert_stored_and_read_back(alerts_or_refusal(body))


def _known_shape(payload: Any) -> None:
    alerts = parse_body(json.dumps(payload), max_bytes=MAX)
    assert alerts
    assert_stored_and_read_back(alerts)


def _inside_sns(inner: Any) -> None:
    assert parse_body(json.dumps(sns(inner)), max_bytes=MAX)


TARGETS: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]] = [
    ("any JSON → alerts → store", JSON | DEEP, lambda v: _parse_and_store(json.dumps(v))),
    ("known shapes, any fields", SHAPES, _known_shape),
    ("anything inside SNS", SHAPES | JSON | DEEP | TEXT, _inside_sns),
    ("any bytes → alerts → store", BYTES, _parse_and_store),
    ("CloudTrail files", FILES, scanned_or_refused),
    ("CloudTrail records", RECORD, event_from_record),
    ("LookupEvents items", LOOKUP, record_from_lookup),
]


def timed(strategy: st.SearchStrategy[Any], check: Callable[[Any], object]) -> float:
    """Seconds for EXAMPLES generated examples through `check` (no shrinking, no database)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        check(value)

    start = time.perf_counter()
    run()
    return time.perf_counter() - start


@pytest.mark.bench
def test_fuzz_every_parser() -> None:
    print()
    print(f"fuzz: {EXAMPLES} examples per target")
    for name, strategy, check in TARGETS:
        floor = timed(strategy, lambda _: None)
        took = timed(strategy, check)
        print(
            f"{name:<28} {EXAMPLES / took:8.0f} examples/s"
            f" | x{took / floor:.1f} the time to generate them alone ({floor:.1f} s)"
        )
