"""Listener middleware: who may press (responders only), and whether the button is ours."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.domain.keys import parse_key_id
from bot.errors import KeycheckError, UnknownAction
from bot.respond.authorization import VERDICT_TEXT, Verdict
from bot.services import Services
from bot.slack.ids import ButtonValue
from handlers.hop import tell, tell_click
from handlers.payloads import Click, channel_of, described, user_of

log = logging.getLogger(__name__)

Requirement = Callable[[ButtonValue], None]
Middleware = Callable[..., BoltResponse | None]
ChannelFinder = Callable[[dict[str, Any]], str]


def responders_only(services: Services, *, channel: ChannelFinder = channel_of) -> Middleware:
    """A responder goes on to the listener; anyone else is told no.

    A refusal acknowledges the request (Slack gets its 200), tells the person in an
    ephemeral message, logs the attempt and counts it; no listener, modal or AWS call runs.
    """

    def middleware(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        user = user_of(body)
        verdict = services.responders.check(user)
        if verdict is Verdict.ALLOWED:
            next()
            return None
        log.warning(
            "refused %s from %s (%s)", described(body), user or "an unknown user", verdict.value
        )
        services.store.bump("auth.refused")
        if body.get("actions"):
            tell_click(services.messenger, Click.parse(body), VERDICT_TEXT[verdict])
        else:
            response_url = str(body.get("response_url", ""))
            tell(
                services.messenger,
                channel(body),
                user,
                VERDICT_TEXT[verdict],
                response_url=response_url,
            )
        return BoltResponse(status=200, body="")

    return middleware


def is_responder(services: Services, user: str) -> bool:
    """Allowed to see a key's details and act on it; anything short of a yes is a no."""
    return services.responders.check(user) is Verdict.ALLOWED


def needs_key(value: ButtonValue) -> None:
    if not value.k:
        raise UnknownAction("That button names no access key: nothing was done.")
    parse_key_id(value.k)


def needs_record(value: ButtonValue) -> None:
    if not value.r:
        raise UnknownAction("That button names no action from the log: nothing was done.")


def needs_incident(value: ButtonValue) -> None:
    if not value.i:
        raise UnknownAction("That button belongs to no incident: nothing was done.")


def checked_value(services: Services, require: Requirement) -> Middleware:
    """A malformed or foreign button value is answered with a note and goes no further."""

    def middleware(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        click = Click.parse(body)
        try:
            require(ButtonValue.decode(click.value))
        except KeycheckError as error:
            log.info("refused button %s from %s: %s", click.action_id[:40], click.user, error)
            tell_click(services.messenger, click, str(error))
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def guarded(services: Services, require: Requirement) -> list[Middleware]:
    """Responders only, then a well-formed value: every action button goes through both."""
    return [responders_only(services), checked_value(services, require)]
