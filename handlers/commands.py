"""`/keycheck KEY` (the key's report in the channel, or to the asker alone where keycheck
cannot post) and `/keycheck KEY timeline`."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, App

from bot.domain.keys import USAGE, looks_like_secret, parse_key_id
from bot.errors import InvalidKeyId, KeycheckError
from bot.respond.lookup import report_incident
from bot.services import Services
from bot.slack.messenger import Place
from handlers.hop import Asker, after_ack
from handlers.middleware import is_responder

log = logging.getLogger(__name__)

COMMAND = "/keycheck"
OPTIONS = ("timeline",)
TIMELINE_IN_THREAD = (
    "keycheck cannot post in this conversation, so the timeline goes to the incident's "
    "thread in the alerts channel."
)
TIMELINE_NOWHERE = (
    "keycheck cannot post in this conversation, so it has nowhere to put the timeline. "
    "Invite it here (`/invite @keycheck`) or type `/keycheck {key_id} timeline` in a "
    "channel it is in."
)


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
        """Answer a typo or a pasted secret at once, only to its sender; else say it's coming.

        Nothing here waits on AWS or the store, whoever asks: the ack must reach Slack
        within three seconds. The answer follows through the request's response_url.
        """
        try:
            key_id, _ = parse_command(str(body.get("text", "")))
        except KeycheckError as error:
            ack(text=str(error))
            return
        ack(text=f"Looking up `{key_id}`…")

    def look_up(body: dict[str, Any]) -> None:
        """A responder gets the key's report; anyone else the limited view, privately.

        A stranger's answer goes through the response_url alone: keycheck never joins a
        channel, posts in it or uploads a file to answer someone who may not see the key.
        """
        asker = Asker.of_command(body)
        try:
            key_id, timeline = parse_command(str(body.get("text", "")))
        except KeycheckError:
            return
        messenger = services.messenger
        if is_responder(services, asker.user):
            job = partial(report_and_timeline, services, key_id, asker, timeline=timeline)
        else:
            job = partial(limited_answer, services, key_id, asker)
        after_ack(
            app,
            services,
            job,
            on_error=lambda text: asker.tell(messenger, text),
            read_only=True,
        )

    app.command(COMMAND)(ack=check_command, lazy=[look_up])


def limited_answer(services: Services, key_id: str, asker: Asker) -> None:
    asker.tell(services.messenger, services.lookup.limited(key_id))


def report_and_timeline(services: Services, key_id: str, asker: Asker, *, timeline: bool) -> None:
    """The report where asked (or to the asker alone), then the timeline under it.

    A report only the asker could see has no thread for the timeline: it goes to the
    incident's thread when there is one, and otherwise the asker is told where to ask.
    """
    place = Place(asker.channel)
    found = services.lookup.post(key_id, place, response_url=asker.response_url)
    if not timeline:
        return
    report, posted = found.report, found.posted
    if posted is not None:
        target = found.incident or report_incident(
            key_id, report.account_id, posted.channel, posted.ts, user_name=report.user_name
        )
    elif found.incident is not None and found.incident.thread_ts:
        target = found.incident
        asker.tell(services.messenger, TIMELINE_IN_THREAD)
    else:
        asker.tell(services.messenger, TIMELINE_NOWHERE.format(key_id=key_id))
        return
    services.timelines.post(target, key_id, report.account_id, asked_by=asker.user)
