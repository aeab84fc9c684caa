"""Containment buttons (confirm, undo, approve), cases and incident channels; strangers refused."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltResponse

from bot.respond.authorization import responders_only
from bot.errors import KeycheckError, UnknownAction
from bot.respond.incident_channel import archive_incident_channel, declare_incident
from bot.domain.keys import parse_key_id
from bot.models import ActionKind
from bot.respond.respond_slack import (
    Click,
    after_ack,
    case_for_incident,
    place_for,
    post_to,
    refresh_card,
    tell,
)
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.modals import ConfirmRequest, confirm_modal, loading_modal, problem_modal
from bot.slack.replies import outcome_message

log = logging.getLogger(__name__)

A = ActionKind
CONFIRMED = {
    ActionId.DEACTIVATE_KEY: A.DEACTIVATE_KEY,
    ActionId.ATTACH_DENY_ALL: A.ATTACH_DENY_ALL,
    ActionId.REVOKE_SESSIONS: A.REVOKE_SESSIONS,
    ActionId.CONTAIN_ALL: A.CONTAIN_ALL,
}
KNOWN = frozenset(a.value for a in ActionId)
Requirement = Callable[[ButtonValue], None]
Middleware = Callable[..., BoltResponse | None]


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
            tell(services, click.channel, click.user, str(error))
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def guarded(services: Services, require: Requirement) -> list[Middleware]:
    """Responders only, then a well-formed value: every action button goes through both."""
    return [responders_only(services), checked_value(services, require)]


def ack_now(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    for action_id, kind in CONFIRMED.items():
        app.action(action_id.value, middleware=guarded(services, needs_key))(
            ack=ack_now, lazy=[confirmation(app, services, kind)]
        )
    for action_id, require, work in (
        (ActionId.UNDO, needs_record, undo),
        (ActionId.APPROVE, needs_record, approve),
        (ActionId.OPEN_CASE, needs_incident, open_case),
        (ActionId.DECLARE_INCIDENT, needs_incident, declare),
    ):
        app.action(action_id.value, middleware=guarded(services, require))(
            ack=ack_now, lazy=[in_background(app, services, work)]
        )

    def unknown_button(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.parse(body)
        log.info("unknown button %s from %s", click.action_id[:40], click.user)
        tell(
            services,
            click.channel,
            click.user,
            f"Unknown button `{click.action_id[:40]}`: nothing was done.",
        )

    app.block_action(re.compile(r".*"), matchers=[is_unknown])(unknown_button)


def is_unknown(body: dict[str, Any]) -> bool:
    """Every button keycheck draws has an ActionId; anything else was not drawn by us."""
    return Click.parse(body).action_id not in KNOWN


Work = Callable[[Services, Click, ButtonValue], None]


def in_background(app: App, services: Services, work: Work) -> Callable[[dict[str, Any]], None]:
    def lazy(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        value = ButtonValue.decode(click.value)
        after_ack(
            app,
            services,
            lambda: work(services, click, value),
            on_error=lambda text: tell(services, click.channel, click.user, text),
        )

    lazy.__name__ = f"{work.__name__}_after_ack"
    return lazy


def confirmation(
    app: App, services: Services, kind: ActionKind
) -> Callable[[dict[str, Any]], None]:
    """Open a modal at once (the trigger lives 3 s), then fill in the plan AWS gives us."""

    def open_confirmation(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        value = ButtonValue.decode(click.value)
        request = ConfirmRequest(
            action=kind,
            key_id=value.k,
            account_id=value.a,
            incident_id=value.i,
            channel=click.channel,
            thread_ts=click.thread_ts,
        )
        try:
            view_id = services.messenger.open_view(click.trigger_id, loading_modal(request))
        except KeycheckError as error:
            tell(
                services,
                click.channel,
                click.user,
                f"The confirmation did not open ({error}). Press the button again.",
            )
            return

        def fill() -> None:
            try:
                steps = services.responder.preview(kind, value.k)
            except KeycheckError as error:
                services.messenger.update_view(view_id, problem_modal(request, str(error)))
                return
            modal = confirm_modal(request, steps, four_eyes=services.settings.four_eyes)
            services.messenger.update_view(view_id, modal)

        after_ack(
            app,
            services,
            fill,
            on_error=lambda text: services.messenger.update_view(
                view_id, problem_modal(request, text)
            ),
        )

    open_confirmation.__name__ = f"open_confirmation_{kind.name.lower()}"
    return open_confirmation


def undo(services: Services, click: Click, value: ButtonValue) -> None:
    record = services.store.get_action(value.r)
    if record is None:
        raise UnknownAction(f"No action `{value.r[:40]}` in the action log: nothing was undone.")
    place, incident = place_for(
        services, record.incident_id or value.i, click.channel, click.thread_ts
    )
    if record.action is A.DECLARE_INCIDENT:
        post_to(services, place, archive_incident_channel(services, record, actor=click.user))
        return
    outcome = services.responder.undo(record.id, actor=click.user, reason="undo pressed in Slack")
    post_to(services, place, outcome_message(outcome))
    if incident is not None and outcome.steps:
        refresh_card(services, incident)


def approve(services: Services, click: Click, value: ButtonValue) -> None:
    outcome = services.responder.approve(value.r, click.user)
    record = outcome.record
    incident_id = record.incident_id if record else value.i
    place, incident = place_for(services, incident_id, click.channel, click.thread_ts)
    post_to(services, place, outcome_message(outcome))
    if incident is not None and outcome.steps:
        refresh_card(services, incident)


def open_case(services: Services, click: Click, value: ButtonValue) -> None:
    place, message = case_for_incident(services, value.i, actor=click.user)
    post_to(services, place, message)


def declare(services: Services, click: Click, value: ButtonValue) -> None:
    place, message = declare_incident(services, value.i, actor=click.user)
    post_to(services, place, message)
