"""The report, gathered from the store, drawn, and shared: the thread and the evidence bucket.

What the store holds is the record: the report reads nothing else but the open items,
which come from AWS now (is containment holding?) through a callable given at
composition, and the parts other stages add (footprint, watch) through theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.aws.cloudtrail import put_evidence
from bot.aws.sessions import Sessions
from bot.errors import KeycheckError, UnknownAction
from bot.investigate.chart import ChartUnavailable, timeline_png
from bot.investigate.kept import kept_timeline
from bot.investigate.picture import chart_marks, chart_title
from bot.investigate.report import ReportInputs, ReportSection, incident_report
from bot.investigate.timeline import describe_error
from bot.models import Incident, utcnow
from bot.slack.messenger import Messenger
from bot.store import Store

log = logging.getLogger(__name__)

OpenItems = Callable[[Incident], list[str]]
Section = Callable[[Incident], ReportSection | None]


@dataclass(frozen=True)
class IncidentDocument:
    """The report and, when a timeline was kept and matplotlib is there, its chart."""

    name: str
    markdown: str
    chart_name: str = ""
    chart: bytes = b""

    def files(self) -> list[tuple[str, bytes]]:
        chart = [(self.chart_name, self.chart)] if self.chart else []
        return [(self.name, self.markdown.encode()), *chart]


class Reports:
    """Writes an incident's report from the store, and shares it where the settings say."""

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        sessions: Sessions,
        *,
        evidence_bucket: str,
        open_items: OpenItems,
        sections: Sequence[Section] = (),
    ) -> None:
        self.store, self.messenger, self.sessions = store, messenger, sessions
        self.evidence_bucket = evidence_bucket
        self.open_items = open_items
        self.sections = sections

    def write(self, incident_id: str) -> IncidentDocument:
        incident = self.store.get_incident(incident_id)
        if incident is None:
            raise UnknownAction(f"No incident `{incident_id[:40]}` in keycheck's store.")
        actions = self.store.actions_for(incident.id)
        chart_name, chart = f"timeline-{incident.id}.png", self._chart(incident)
        inputs = ReportInputs(
            incident=incident,
            alerts=self.store.alerts_for(incident.id),
            actions=actions,
            generated_at=utcnow(),
            chart_file=chart_name if chart else "",
            sections=[s for s in (section(incident) for section in self.sections) if s],
            open_items=self.open_items(incident),
        )
        return IncidentDocument(
            f"report-{incident.id}.md", incident_report(inputs), chart_name, chart
        )

    def _chart(self, incident: Incident) -> bytes:
        report = kept_timeline(self.store.actions_for(incident.id))
        if report is None:
            return b""
        try:
            return timeline_png(
                report.events, chart_marks(self.store, incident.id), chart_title(report)
            )
        except ChartUnavailable as error:
            log.info("report of %s without its chart: %s", incident.id, error)
            return b""

    def publish(self, incident_id: str) -> tuple[IncidentDocument, list[str]]:
        """Write it, then share it: the thread first, then the bucket; where it went, or why not."""
        document = self.write(incident_id)
        incident = self.store.get_incident(incident_id)
        assert incident is not None
        notes = [self._to_thread(incident, document), self._to_bucket(incident, document)]
        return document, [note for note in notes if note]

    def _to_thread(self, incident: Incident, document: IncidentDocument) -> str:
        if not incident.channel:
            return ""
        comment = f"The incident written up: {document.name}, for the postmortem."
        try:
            self.messenger.upload(
                incident.channel, incident.thread_ts or None, document.files(), comment
            )
        except KeycheckError as error:
            return f"not uploaded to Slack ({error})"
        return "uploaded to the incident's thread"

    def _to_bucket(self, incident: Incident, document: IncidentDocument) -> str:
        bucket = self.evidence_bucket
        if not bucket:
            return ""
        s3 = self.sessions.own_client("s3")
        kinds = {"md": "text/markdown", "png": "image/png"}
        try:
            for name, data in document.files():
                put_evidence(
                    s3, bucket, f"{incident.id}/{name}", data, kinds[name.rsplit(".", 1)[-1]]
                )
        except Exception as error:  # the report exists; say why the bucket lacks it
            return f"not copied to s3://{bucket}/{incident.id}/ ({describe_error(error)})"
        return f"copied to s3://{bucket}/{incident.id}/"
