"""One running keycheck: services, the Bolt app and the HTTP surface, built once per process."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient

from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.domain.redact import install_log_redaction
from bot.errors import KeycheckError
from bot.ingest.pipeline import Ingest
from bot.ingest.sns_endpoint import CertFetcher, SnsEndpoint
from bot.ingest.worker import Worker
from bot.runtime.app import create_app
from bot.runtime.compose import build_services
from bot.runtime.web import WebApp
from bot.services import Services
from bot.slack.messenger import Place
from handlers.results import report_outcome

log = logging.getLogger(__name__)

# How long a stop waits for a watch poll in flight: its lease frees it for another replica.
WATCH_JOIN_SECONDS = 30.0


@dataclass
class Runtime:
    """Built once per process by `serve`, `worker`, Lambda, the demo and the tests."""

    services: Services
    app: App
    web: WebApp
    background: ThreadPoolExecutor
    # Set at close: the watch thread, if started, ends after its current poll.
    stopping: threading.Event = field(default_factory=threading.Event)
    watching: threading.Thread | None = None

    @property
    def ingest(self) -> Ingest:
        return self.services.ingest

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        client: WebClient | None = None,
        sessions: Sessions | None = None,
        cert_fetcher: CertFetcher | None = None,
        process_before_response: bool = False,
    ) -> Runtime:
        install_log_redaction()
        services = build_services(settings, client=client, sessions=sessions)
        app = create_app(services, process_before_response=process_before_response)
        background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deliver")
        sns = SnsEndpoint(
            services.store,
            services.sessions,
            services.ingest.accept,
            settings.sns_topic_arns,
            fetch_certificate=cert_fetcher,
        )
        web = WebApp(
            app,
            sns,
            services.store,
            deliver=services.ingest.deliver,
            background=background,
            max_body_bytes=settings.max_body_bytes,
        )
        return cls(services, app, web, background)

    def reconcile(self) -> None:
        """Settle the actions a killed process left `requested`: at every start, before serving.

        Each is told in its incident's thread (with Undo when IAM shows the change), as
        the result the killed process never posted.
        """
        alerts = Place(self.services.settings.alerts_channel)
        for outcome in self.services.responder.reconcile():
            log.warning("settled an interrupted action: %s", outcome.message)
            record = outcome.record
            if record is None or not record.incident_id:
                continue
            try:
                report_outcome(self.services, outcome, record.incident_id, alerts)
            except KeycheckError as error:
                log.warning("could not post the settled action %s: %s", record.id, error)

    def worker(self, *, wait_seconds: int = 20) -> Worker:
        """The SQS worker over the configured queue."""
        sqs = self.services.sessions.own_client("sqs")
        return Worker(
            self.ingest, sqs, self.services.settings.sqs_queue_url, wait_seconds=wait_seconds
        )

    def watch(self) -> threading.Thread:
        """Poll the watches on contained keys in the background until `close`.

        Every replica runs this; each watch's lease lets one of them poll it at a time.
        """
        thread = threading.Thread(
            target=self.services.watch.run, args=(self.stopping,), name="watch", daemon=True
        )
        thread.start()
        self.watching = thread
        return thread

    def close(self) -> None:
        """Let queued deliveries and AWS work finish, then release the store."""
        self.stopping.set()
        if self.watching is not None:
            self.watching.join(timeout=WATCH_JOIN_SECONDS)
            self.services.watch.close()
        self.background.shutdown(wait=True)
        self.services.work.shutdown(wait=True)
        self.services.blast.close()
        self.services.owners.close()
        self.services.reads.shutdown(wait=True)
        self.services.store.close()
