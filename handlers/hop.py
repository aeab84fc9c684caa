"""After the ack: AWS work on the response threads, and its failure told to whoever asked."""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.errors import KeycheckError, user_message
from bot.services import Services
from bot.slack.ids import ButtonValue
from bot.slack.messenger import Messenger
from handlers.payloads import Click

log = logging.getLogger(__name__)

Work = Callable[[Services, Click, ButtonValue], None]
BUSY = (
    "keycheck is busy with other look-ups and timelines right now, so this one did not "
    "start. Wait a minute and ask again."
)


def ack_now(ack: Ack) -> None:
    ack()


def tell(messenger: Messenger, channel: str, user: str, text: str) -> None:
    """An ephemeral note to one person; if Slack refuses it, the log is all that is left."""
    if not channel or not user:
        log.warning("no channel or user to tell: %s", text[:80])
        return
    try:
        messenger.ephemeral(channel, user, text)
    except KeycheckError as error:
        log.warning("could not tell %s: %s", user, error)


def after_ack(
    app: App,
    services: Services,
    job: Callable[[], None],
    *,
    on_error: Callable[[str], None],
    read_only: bool = False,
) -> None:
    """Run AWS work on the response threads, never Bolt's: a slow IAM must not hold the next ack.

    Bolt runs acknowledgements and lazy listeners on one small pool; work that waits on AWS
    goes to `services.work` instead, and read-only work to `services.reads`, whose
    threads and queue are few: when they are full the person is told to wait. When Bolt
    processes before responding (a FaaS runtime, where a lazy listener is an invocation of
    its own), the work runs right here.
    """

    def run() -> None:
        try:
            job()
        except Exception as error:  # every failure reaches the person who asked
            on_error(user_message(error))

    if app.process_before_response:
        run()
        return
    try:
        (services.reads if read_only else services.work).submit(run)
    except queue.Full:
        log.warning("read-only work refused: the pool is full")
        on_error(BUSY)


def in_background(
    app: App, services: Services, work: Work, *, read_only: bool = False
) -> Callable[[dict[str, Any]], None]:
    """A lazy listener that runs `work` for the click after the ack, on the response threads."""

    def lazy(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        value = ButtonValue.decode(click.value)
        after_ack(
            app,
            services,
            lambda: work(services, click, value),
            on_error=lambda text: tell(services.messenger, click.channel, click.user, text),
            read_only=read_only,
        )

    lazy.__name__ = f"{work.__name__}_after_ack"
    return lazy
