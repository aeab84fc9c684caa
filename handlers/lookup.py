"""The same lookup where slash commands cannot go: a message shortcut, and `@keycheck AKIA…`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from bot.domain.keys import KEY_ID_IN_TEXT, USAGE, looks_like_secret, parse_key_id
from bot.errors import KeycheckError
from bot.services import Services
from bot.slack.ids import CallbackId
from bot.slack.messenger import Place
from handlers.hop import Asker, ack_now, after_ack
from handlers.middleware import is_responder

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
MAX_KEYS = 3
PASTED_KEY_NOTE = (
    "That message looks like it holds a *secret* access key. keycheck did not repeat it. "
    "Treat it as exposed: deactivate and rotate the key, and delete the message."
)


def keys_in(text: str) -> list[str]:
    """The distinct access key ids in a message, in order, at most three."""
    return list(dict.fromkeys(KEY_ID_IN_TEXT.findall(text)))[:MAX_KEYS]


def register(app: App, services: Services) -> None:
    def from_shortcut(body: dict[str, Any]) -> None:
        message = body.get("message") or {}
        thread = str(message.get("thread_ts") or message.get("ts") or "")
        asker = Asker(
            channel=str((body.get("channel") or {}).get("id", "")),
            user=str((body.get("user") or {}).get("id", "")),
            response_url=str(body.get("response_url", "")),
        )
        answer(app, services, str(message.get("text", "")), asker, thread, mention=False)

    def from_mention(body: dict[str, Any]) -> None:
        """A mention carries no response_url: Slack sends one only where keycheck is a member."""
        event = body.get("event") or {}
        thread = str(event.get("thread_ts") or event.get("ts") or "")
        text = MENTION.sub(" ", str(event.get("text", "")))
        asker = Asker(str(event.get("channel", "")), str(event.get("user", "")))
        answer(app, services, text, asker, thread, mention=True)

    app.shortcut(CallbackId.LOOKUP_SHORTCUT.value)(ack=ack_now, lazy=[from_shortcut])
    app.event("app_mention")(ack=ack_now, lazy=[from_mention])


def answer(
    app: App, services: Services, text: str, asker: Asker, thread: str, *, mention: bool
) -> None:
    """Report every key id found, in the thread; otherwise say privately what was wrong.

    Someone who is not a responder gets the limited answer, privately, and nothing more.
    """
    keys = keys_in(text)
    messenger = services.messenger
    if looks_like_secret(text):
        asker.tell(messenger, PASTED_KEY_NOTE)
    if not keys:
        if not looks_like_secret(text):
            asker.tell(messenger, _no_key(text, mention=mention))
        return

    def limited_all() -> None:
        for key_id in keys:
            asker.tell(messenger, services.lookup.limited(key_id))

    def report_all() -> None:
        """Each key on its own: one that AWS cannot describe does not hide the others."""
        place = Place(asker.channel, thread or None)
        for key_id in keys:
            try:
                services.lookup.post(key_id, place, response_url=asker.response_url)
            except KeycheckError as error:
                asker.tell(messenger, str(error))

    job = report_all if is_responder(services, asker.user) else limited_all
    after_ack(app, services, job, on_error=lambda note: asker.tell(messenger, note), read_only=True)


def _no_key(text: str, *, mention: bool) -> str:
    if not mention:
        return "No access key id (AKIA… or ASIA…) in that message, so there is nothing to look up."
    try:
        parse_key_id(text.split()[0] if text.split() else "")
    except KeycheckError as error:
        return f"{error}".replace("`/keycheck", "`@keycheck")
    return f"Mention me with a key id: `@keycheck AKIA…`. {USAGE}"
