"""One running keycheck: services, the alert pipeline, the Bolt app and the HTTP surface."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.runtime.app import build_ingest, build_services, create_app
from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.ingest.pipeline import Ingest
from bot.services import Services
from bot.runtime.settings import load_settings
from bot.ingest.sns_endpoint import CertFetcher, SnsEndpoint
from bot.runtime.web import WebApp
from bot.ingest.worker import Worker


@dataclass
class Runtime:
    """Built once per process by `serve`, `worker`, Lambda, the demo and the tests."""

    services: Services
    ingest: Ingest
    app: App
    web: WebApp
    background: ThreadPoolExecutor

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
        ingest = build_ingest(services)
        app = create_app(services, process_before_response=process_before_response)
        background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deliver")
        sns = SnsEndpoint(services, ingest, fetch_certificate=cert_fetcher)
        web = WebApp(
            app,
            sns,
            services.store,
            deliver=ingest.deliver,
            background=background,
            max_body_bytes=settings.max_body_bytes,
        )
        return cls(services, ingest, app, web, background)

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
        self.services.store.close()


def wsgi_from_env() -> WebApp:
    """The WSGI app for gunicorn (the Procfile's `web`), settings from the environment."""
    runtime = Runtime.build(load_settings())
    runtime.background.submit(runtime.ingest.deliver)
    return runtime.web
