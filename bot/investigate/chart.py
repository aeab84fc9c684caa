"""The timeline as a picture: each source address's calls over time, containment marked.

Drawn with matplotlib's Agg backend through its object API (a Figure of our own, no
pyplot and its global state), so several threads may draw at once and nothing opens a
window. matplotlib is an optional extra and takes a while to import: it is imported
here, inside `timeline_png`, so nothing else in keycheck pays for it at start-up.
The PNG carries no version or date metadata, so one timeline always draws the same bytes.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.errors import KeycheckError
from bot.events import in_utc
from bot.models import TimelineEvent

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.8, 100
MAX_ROWS = 8
OTHER = "other addresses"
CALL_COLOUR, DENIED_COLOUR, CUT_COLOUR = "#1f77b4", "#d62728", "#2ca02c"


@dataclass(frozen=True)
class Mark:
    """A moment to draw across the chart: a containment step, with its label."""

    at: datetime
    label: str


class ChartUnavailable(KeycheckError):
    """matplotlib is not installed (it is in the `chart` extra, which `serve` and `dev` pull in)."""


def rows(events: Sequence[TimelineEvent]) -> list[str]:
    """The busiest source addresses, top down; the rest share one row."""
    counts = Counter(event.source_ip or "unknown" for event in events)
    ranked = sorted(counts, key=lambda ip: (-counts[ip], ip))
    if len(ranked) <= MAX_ROWS:
        return ranked
    return [*ranked[: MAX_ROWS - 1], OTHER]


def row_of(event: TimelineEvent, shown: list[str]) -> str:
    ip = event.source_ip or "unknown"
    return ip if ip in shown else OTHER


def _days(moment: datetime) -> float:
    """matplotlib's date axis unit: days since its epoch, 1970-01-01 UTC (matplotlib ≥ 3.3)."""
    return in_utc(moment).timestamp() / 86400.0


def timeline_png(events: Sequence[TimelineEvent], marks: Sequence[Mark], title: str) -> bytes:
    """One PNG: calls (dots) and denied calls (crosses) per address, containment as lines."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ChartUnavailable("Charts need matplotlib: pip install 'keycheck[chart]'.") from error
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shown = rows(events) or ["no events"]
    position = {name: index for index, name in enumerate(reversed(shown))}
    for denied, colour, marker, label in (
        (False, CALL_COLOUR, "o", "call"),
        (True, DENIED_COLOUR, "x", "denied or failed"),
    ):
        chosen = [e for e in events if bool(e.error_code) is denied]
        if chosen:
            axes.scatter(
                [_days(e.time) for e in chosen],
                [position[row_of(e, shown)] for e in chosen],
                c=colour,
                marker=marker,
                s=28,
                alpha=0.8,
                label=f"{label} ({len(chosen)})",
                zorder=3,
            )
    top = len(shown) - 0.3 + 0.35 * len(marks)
    for index, mark in enumerate(marks):
        axes.axvline(_days(mark.at), color=CUT_COLOUR, linewidth=2, zorder=2)
        # Labels stacked one line apart in the headroom above the rows: steps taken a
        # minute apart would otherwise print over each other.
        axes.annotate(
            mark.label,
            (_days(mark.at), top),
            xytext=(4, -4 - 12 * index),
            textcoords="offset points",
            color=CUT_COLOUR,
            fontsize=8,
            va="top",
        )
    axes.set_yticks(range(len(shown)), list(reversed(shown)), fontsize=9)
    axes.set_ylim(-0.7, top)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_xlabel("time (UTC)")
    axes.set_title(title, fontsize=11, loc="left")
    axes.grid(axis="x", alpha=0.3)
    if events:
        axes.legend(loc="lower right", fontsize=8, framealpha=0.9)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
