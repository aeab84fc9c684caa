"""Run a timeline and post it in the incident's thread: progress, summary, CSV and JSON."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from bot.analysis.export import timeline_csv, timeline_json
from bot.analysis.report import RegionProgress, RegionResult, TimelineReport
from bot.aws.cloudtrail import put_evidence
from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.errors import AlreadyRunning, KeycheckError
from bot.investigate.timeline import analysis_config, build_timeline, describe_error, window
from bot.models import Incident
from bot.slack.messenger import Messenger, SlackDeliveryError
from bot.slack.timeline_blocks import (
    done_message,
    failure_message,
    plain_summary,
    progress_message,
    summary_message,
)
from bot.store import Store, lease_owner

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 2.0  # seconds between progress edits: Slack allows about one a second
# One fetch per (incident, key) across replicas; a holder that died frees it after this long.
TIMELINE_LEASE_SECONDS = 15 * 60.0
# Called once a timeline is in the thread: (incident, report, who asked, (channel, thread)).
TimelineAfter = Callable[[Incident, TimelineReport, str, tuple[str, str | None]], None]


class ProgressNotes:
    """Edits one progress message as lookups finish, without ever blocking the fetch.

    Edits go through one background thread; while one is in flight, or within
    `interval` of the last, newer progress just replaces what will be shown next.
    """

    def __init__(
        self,
        messenger: Messenger,
        channel: str,
        ts: str,
        key_id: str,
        *,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.messenger, self.channel, self.ts, self.key_id = messenger, channel, ts, key_id
        self.interval, self.clock = interval, clock
        self.failures: list[RegionResult] = []
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="timeline-progress")
        self._inflight: Future[None] | None = None
        self._last = float("-inf")
        self._lock = threading.Lock()

    def __call__(self, progress: RegionProgress) -> None:
        if not progress.result.ok:
            self.failures.append(progress.result)
        with self._lock:
            busy = self._inflight is not None and not self._inflight.done()
            if busy or self.clock() - self._last < self.interval:
                return
            self._last = self.clock()
            text, blocks = progress_message(self.key_id, progress, list(self.failures))
            self._inflight = self._pool.submit(self._edit, text, blocks)

    def _edit(self, text: str, blocks: list[dict[str, object]]) -> None:
        try:
            self.messenger.update(self.channel, self.ts, text, blocks)
        except KeycheckError as error:
            log.warning("timeline progress edit failed: %s", error)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class TimelinePoster:
    """Fetches a key's timeline and posts it in the incident's thread; the demo uses it too.

    A second press while a fetch runs, here or on another replica, is told so: the
    (incident, key) pair is leased in the store for as long as the fetch takes.
    """

    def __init__(
        self,
        settings: Settings,
        sessions: Sessions,
        messenger: Messenger,
        store: Store,
        after: TimelineAfter | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.messenger = messenger
        self.store = store
        self.after = after
        self._owner = lease_owner()

    def post(
        self, incident: Incident, key_id: str, account_id: str, *, asked_by: str = ""
    ) -> TimelineReport:
        """The whole timeline in the thread, or AlreadyRunning while another fetch has it.

        `asked_by` is the Slack user who pressed: told privately if the thread could only
        get a plain summary.
        """
        lease = f"timeline|{incident.id}|{key_id}"
        if not self.store.acquire_lease(lease, self._owner, TIMELINE_LEASE_SECONDS):
            raise AlreadyRunning(f"The timeline of {key_id} is already being fetched.")
        try:
            return self._post(incident, key_id, account_id, asked_by)
        finally:
            self.store.release_lease(lease, self._owner)

    def _post(
        self, incident: Incident, key_id: str, account_id: str, asked_by: str
    ) -> TimelineReport:
        settings, messenger = self.settings, self.messenger
        channel = incident.channel or settings.alerts_channel
        thread = incident.thread_ts or None
        text, blocks = progress_message(key_id, None, [])
        ts = messenger.post(channel, text, blocks, thread_ts=thread)
        notes = ProgressNotes(messenger, channel, ts, key_id)
        start, end = window(settings.timeline_days)
        try:
            report = build_timeline(
                self.sessions,
                key_id,
                account_id,
                config=analysis_config(settings),
                start=start,
                end=end,
                progress=notes,
            )
        except Exception as error:
            notes.close()
            messenger.update(channel, ts, *failure_message(key_id, describe_error(error)))
            raise
        notes.close()
        messenger.update(channel, ts, *done_message(report))
        files = [
            (f"timeline-{incident.id}.csv", timeline_csv(report)),
            (f"timeline-{incident.id}.json", timeline_json(report)),
        ]
        self._upload(report, files, channel, thread)
        self._summarise(report, incident.id, channel, thread, asked_by)
        if self.after is not None:
            self.after(incident, report, asked_by, (channel, thread))
        if settings.evidence_bucket:
            self._store_evidence(incident, files, channel, thread)
        return report

    def _upload(
        self,
        report: TimelineReport,
        files: list[tuple[str, bytes]],
        channel: str,
        thread: str | None,
    ) -> None:
        """The files first: whatever happens to the summary, every event is in the thread."""
        comment = f"Full timeline of {report.key_id}: {len(report.events)} events, CSV and JSON."
        try:
            self.messenger.upload(channel, thread, files, comment)
        except SlackDeliveryError as error:
            log.warning("timeline files not uploaded: %s", error)
            note = f"⚠️ The timeline's CSV and JSON could not be attached ({error.code})."
            self.messenger.post(channel, note, thread_ts=thread)

    def _summarise(
        self, report: TimelineReport, incident_id: str, channel: str, thread: str | None, who: str
    ) -> None:
        """The summary; if Slack refuses it, a plain one, and the person who pressed is told."""
        try:
            self.messenger.post(channel, *summary_message(report, incident_id), thread_ts=thread)
            return
        except SlackDeliveryError as error:
            log.warning("timeline summary refused, posting it plain: %s", error)
            code = error.code
        self.messenger.post(channel, *plain_summary(report), thread_ts=thread)
        if who:
            note = (
                f"Slack refused the timeline summary of {report.key_id} ({code}): a plain "
                "summary and the files are in the thread."
            )
            try:
                self.messenger.ephemeral(channel, who, note, thread_ts=thread)
            except KeycheckError as error:
                log.warning("could not tell %s the summary was refused: %s", who, error)

    def _store_evidence(
        self, incident: Incident, files: list[tuple[str, bytes]], channel: str, thread: str | None
    ) -> None:
        """Copy the files to the evidence bucket under the incident id; say where, or why not."""
        bucket = self.settings.evidence_bucket
        s3 = self.sessions.own_client("s3")
        content_types = {"csv": "text/csv", "json": "application/json"}
        try:
            for name, data in files:
                kind = content_types[name.rsplit(".", 1)[-1]]
                put_evidence(s3, bucket, f"{incident.id}/{name}", data, kind)
        except Exception as error:
            log.warning("evidence copy to %s failed: %s", bucket, describe_error(error))
            note = f"⚠️ Could not copy the timeline to s3://{bucket}/{incident.id}/: "
            self.messenger.post(channel, note + describe_error(error), thread_ts=thread)
            return
        self.messenger.post(
            channel, f"Evidence copied to s3://{bucket}/{incident.id}/", thread_ts=thread
        )
