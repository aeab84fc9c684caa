"""After a timeline is posted: keep it in the audit log, then draw its chart and share it.

The chart is drawn on a thread of its own, after the summary is in the thread: drawing
takes a second or two and must never delay the summary, nor the next timeline.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from bot.analysis.report import TimelineReport
from bot.errors import KeycheckError
from bot.investigate.chart import Mark, timeline_png
from bot.investigate.kept import containment_moments, timeline_record
from bot.models import Incident
from bot.slack.format import utc_time
from bot.slack.messenger import Messenger
from bot.store import Store

log = logging.getLogger(__name__)


def chart_title(report: TimelineReport) -> str:
    return f"{report.key_id}: {len(report.events)} CloudTrail events by source address"


def chart_marks(store: Store, incident_id: str) -> list[Mark]:
    """Every containment step of the incident, as a labelled line at the time it took effect."""
    moments = containment_moments(store.actions_for(incident_id))
    return [Mark(at, f"{kind} {utc_time(at)}") for at, kind in moments]


class TimelinePictures:
    """The timeline poster's last step: the fetch recorded, the chart drawn and uploaded."""

    def __init__(self, store: Store, messenger: Messenger) -> None:
        self.store, self.messenger = store, messenger
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")

    def __call__(
        self,
        incident: Incident,
        report: TimelineReport,
        asked_by: str,
        place: tuple[str, str | None],
    ) -> None:
        self.store.begin_action(timeline_record(incident, report, asked_by))
        self._pool.submit(self._share, incident, report, place)

    def _share(
        self, incident: Incident, report: TimelineReport, place: tuple[str, str | None]
    ) -> None:
        try:
            png = timeline_png(
                report.events, chart_marks(self.store, incident.id), chart_title(report)
            )
            channel, thread = place
            name = f"timeline-{incident.id}.png"
            comment = f"The timeline of {report.key_id} as a chart: calls per source address."
            self.messenger.upload(channel, thread, [(name, png)], comment)
        except KeycheckError as error:
            log.warning("timeline chart of %s not shared: %s", incident.id, error)
        except Exception:  # the timeline is in the thread; only its picture is missing
            log.exception("timeline chart of %s not drawn", incident.id)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
