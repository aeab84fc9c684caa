"""The sliding window of the burst rules tags exactly what sliding it naively would.

The window adds only the newest call while a burst goes on; this checks that shortcut
against the plain definition (every window that holds a burst has all its calls tagged)
on random series: bursts that start, stop and start again, calls at the same second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analysis.bursts import window_bursts
from bot.events import TimelineEvent
from tests.unit.analysis.support import T0

WINDOW = timedelta(seconds=60)
SERIES = st.lists(st.tuples(st.integers(0, 400), st.sampled_from("abcdef")), max_size=60)


def _kind(event: TimelineEvent) -> str:
    return event.event_name


def _naive(series: list[TimelineEvent], holds: Callable[[int, int], bool]) -> set[str]:
    tagged: set[str] = set()
    for end, last in enumerate(series):
        inside = [e for e in series[: end + 1] if last.time - e.time <= WINDOW]
        if holds(len(inside), len({_kind(e) for e in inside})):
            tagged.update(e.event_id for e in inside)
    return tagged


@settings(max_examples=200, deadline=None)
@given(SERIES, st.integers(1, 6), st.integers(1, 12))
def test_the_window_tags_what_the_definition_tags(
    calls: list[tuple[int, str]], kinds: int, count: int
) -> None:
    series = [
        TimelineEvent(event_id=str(n), time=T0 + timedelta(seconds=at), event_name=name)
        for n, (at, name) in enumerate(sorted(calls))
    ]
    for holds in (lambda _, d: d >= kinds, lambda n, d: n >= count or d >= kinds):
        assert window_bursts(series, WINDOW, _kind, holds) == _naive(series, holds)
