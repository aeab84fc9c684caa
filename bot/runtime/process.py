"""One running keycheck: services, the Bolt app and the HTTP surface, built once per process."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.aws.sessions import Sessions
from bot.config import Settings
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


@dataclass
class Runtime:
    """Built once per process by `serve`, `worker`, Lambda, the demo and the tests."""

    services: Services
    app: App
    web: WebApp
    background: ThreadPoolExecutor

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

    def close(self) -> None:
        """Let queued deliveries and AWS work finish, then release the store."""
        self.background.shutdown(wait=True)
        self.services.work.shutdown(wait=True)
        self.services.blast.close()
        self.services.owners.close()
        self.services.reads.shutdown(wait=True)
        self.services.store.close()
