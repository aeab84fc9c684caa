"""`/keycheck KEY` (the key's report in the channel) and `/keycheck KEY timeline`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.domain.keys import USAGE, looks_like_secret, parse_key_id
from bot.errors import InvalidKeyId, KeycheckError
from bot.respond.lookup import report_incident
from bot.services import Services
from bot.slack.messenger import Place
from handlers.hop import after_ack, tell
from handlers.middleware import is_responder

log = logging.getLogger(__name__)

COMMAND = "/keycheck"
OPTIONS = ("timeline",)


def parse_command(text: str) -> tuple[str, bool]:
    """(key id, timeline wanted), or a clear KeycheckError that never echoes a secret."""
    if looks_like_secret(text):
        parse_key_id(text)
    words = text.split()
    key_id = parse_key_id(words[0] if words else "")
    options = [word.lower() for word in words[1:]]
    if not options:
        return key_id, False
    if options == ["timeline"]:
        return key_id, True
    raise InvalidKeyId(
        f"Unknown option `{words[1][:20]}`. Type `/keycheck {key_id}` for the key's report "
        f"or `/keycheck {key_id} timeline` for what it did. {USAGE}"
    )


def register(app: App, services: Services) -> None:
    def check_command(ack: Ack, body: dict[str, Any]) -> None:
        """Answer a typo, a pasted secret or a non-responder at once, only to its sender.

        The ack's text reaches the sender in any channel, so keycheck never joins one
        (or posts in it) to answer someone who may not see the key's details.
        """
        try:
            key_id, _ = parse_command(str(body.get("text", "")))
        except KeycheckError as error:
            ack(text=str(error))
            return
        if not is_responder(services, str(body.get("user_id", ""))):
            ack(text=services.lookup.limited(key_id))
            return
        ack(text=f"Looking up `{key_id}`…")

    def look_up(body: dict[str, Any]) -> None:
        """A responder's look-up; anyone else had their limited answer in the ack."""
        channel, user = str(body.get("channel_id", "")), str(body.get("user_id", ""))
        try:
            key_id, timeline = parse_command(str(body.get("text", "")))
        except KeycheckError:
            return
        if not is_responder(services, user):
            return
        after_ack(
            app,
            services,
            lambda: report_and_timeline(services, key_id, channel, user, timeline=timeline),
            on_error=lambda text: tell(services.messenger, channel, user, text),
            read_only=True,
        )

    app.command(COMMAND)(ack=check_command, lazy=[look_up])


def report_and_timeline(
    services: Services, key_id: str, channel: str, user: str, *, timeline: bool
) -> None:
    found = services.lookup.post(key_id, Place(channel))
    if not timeline:
        return
    posted, report = found.posted, found.report
    target = found.incident or report_incident(
        key_id, report.account_id, posted.channel, posted.ts, user_name=report.user_name
    )
    services.timelines.post(target, key_id, report.account_id, asked_by=user)
