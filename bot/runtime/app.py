"""The Bolt app: every listener registered, and one error handler. Nothing runs at import."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

import handlers
from bot.errors import user_message
from bot.services import Services
from handlers.hop import tell
from handlers.payloads import channel_of, user_of


def create_app(services: Services, *, process_before_response: bool = False) -> App:
    """The Bolt app with every listener; `process_before_response` for FaaS runtimes."""
    app = App(
        client=services.messenger.client,
        signing_secret=services.settings.slack_signing_secret.get_secret_value(),
        process_before_response=process_before_response,
        token_verification_enabled=False,
    )
    handlers.register(app, services)

    def on_error(error: Exception, body: dict[str, Any]) -> None:
        """Whoever sent the request learns that it failed; the log keeps the traceback."""
        text = user_message(error, unexpected="Nothing was changed.")
        response_url = str(body.get("response_url", ""))
        tell(services.messenger, channel_of(body), user_of(body), text, response_url=response_url)

    app.error(on_error)
    return app
