"""Wiring: settings → services → the Bolt app and the alert pipeline. Nothing runs at import."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot.ingest.alarms import alarm_completer
from bot.respond.autocontain import auto_contain_hook
from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.errors import KeycheckError
from bot.ingest.pipeline import Ingest
from bot.services import Services
from bot.slack.messenger import Messenger, make_client
from bot.store import open_store

log = logging.getLogger(__name__)


def slack_client(settings: Settings) -> WebClient:
    """The one WebClient, with Slack's own retry handlers for 429, 5xx and dropped connections."""
    return make_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, timeout=10
    )


def build_services(
    settings: Settings, *, client: WebClient | None = None, sessions: Sessions | None = None
) -> Services:
    """Everything long-lived, built once per process."""
    return Services(
        settings=settings,
        store=open_store(settings.store_url, region=settings.aws_region),
        sessions=sessions
        or Sessions(
            region=settings.aws_region,
            role_name=settings.responder_role_name,
            external_id=settings.responder_external_id.get_secret_value(),
        ),
        messenger=Messenger(client or slack_client(settings)),
    )


def build_ingest(services: Services) -> Ingest:
    """The alert pipeline with its enrichment: key reports, alarm lookups, auto-containment."""
    return Ingest(
        services,
        services.enricher,
        complete_alarm=alarm_completer(services),
        after_card=auto_contain_hook(services),
    )


def create_app(services: Services, *, process_before_response: bool = False) -> App:
    """The Bolt app with every listener; `process_before_response` for FaaS runtimes."""
    settings = services.settings
    app = App(
        client=services.messenger.client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=process_before_response,
        token_verification_enabled=False,
    )
    handlers.register(app, services)

    def on_error(error: Exception, body: dict[str, Any]) -> None:
        tell_user(services, body, error_message(error))

    app.error(on_error)
    return app


def error_message(error: Exception) -> str:
    """A domain error's own words; anything else a reference to find it in the log."""
    if isinstance(error, KeycheckError):
        return str(error)
    reference = secrets.token_hex(4)
    log.error("unexpected error (ref %s)", reference, exc_info=error)
    return f"Something went wrong on keycheck's side (ref `{reference}`). Nothing was changed."


def tell_user(services: Services, body: dict[str, Any], text: str) -> None:
    """An ephemeral message to whoever sent this request, where they sent it."""
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    if channel and user:
        services.messenger.ephemeral(channel, user, text)
