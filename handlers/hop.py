"""After the ack: AWS work on the response threads, and its failure told to whoever asked."""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass
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


def tell(
    messenger: Messenger,
    channel: str,
    user: str,
    text: str,
    *,
    thread_ts: str | None = None,
    response_url: str = "",
) -> None:
    """A note only `user` sees, where they asked: in their thread when they asked in one.

    The request's response_url goes first: it reaches the person even in a private channel
    or DM keycheck is not in. chat.postEphemeral is the way without one (a mention, a form)
    or once it is spent; if Slack refuses both, the log is all that is left.
    """
    if response_url:
        try:
            messenger.respond(response_url, (text, []), thread_ts=thread_ts)
            return
        except KeycheckError as error:
            log.info("a note's response_url was refused: %s", error)
    if not channel or not user:
        log.warning("no channel or user to tell: %s", text[:80])
        return
    try:
        messenger.ephemeral(channel, user, text, thread_ts=thread_ts)
    except KeycheckError as error:
        log.warning("could not tell %s: %s", user, error)


@dataclass(frozen=True)
class Asker:
    """Who asked, and every way back to them: the conversation, the thread, the response_url."""

    channel: str
    user: str
    thread_ts: str | None = None
    response_url: str = ""

    @classmethod
    def of_command(cls, body: dict[str, Any]) -> Asker:
        return cls(
            channel=str(body.get("channel_id", "")),
            user=str(body.get("user_id", "")),
            response_url=str(body.get("response_url", "")),
        )

    @classmethod
    def of_click(cls, click: Click) -> Asker:
        """The pressed message's thread when it is a reply; a top-level message has none."""
        thread = click.thread_ts if click.thread_ts != click.message_ts else None
        return cls(click.channel, click.user, thread, click.response_url)

    def tell(self, messenger: Messenger, text: str) -> None:
        tell(
            messenger,
            self.channel,
            self.user,
            text,
            thread_ts=self.thread_ts,
            response_url=self.response_url,
        )


def tell_click(messenger: Messenger, click: Click, text: str) -> None:
    """A note to whoever pressed, in the thread of the message pressed when it is a reply."""
    Asker.of_click(click).tell(messenger, text)


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
            on_error=lambda text: tell_click(services.messenger, click, text),
            read_only=read_only,
        )

    lazy.__name__ = f"{work.__name__}_after_ack"
    return lazy
