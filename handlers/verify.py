"""The Verify button: does containment hold, every way in read from AWS, posted in the thread."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.messenger import Place
from bot.slack.replies import verification_message
from handlers.choices import on_action
from handlers.hop import ack_now, in_background
from handlers.middleware import guarded, needs_key
from handlers.payloads import Click
from handlers.results import place_for


def register(app: App, services: Services) -> None:
    on_action(
        app,
        ActionId.VERIFY,
        middleware=guarded(services, needs_key),
        ack=ack_now,
        lazy=[in_background(app, services, verify)],
    )


def verify(services: Services, click: Click, value: ButtonValue) -> None:
    place, _ = place_for(services, value.i, Place(click.channel, click.thread_ts or None))
    check = services.verify.verify(value.k)
    services.messenger.post_to(place, verification_message(check, value.i))
