"""Containment buttons (confirm, undo, approve), cases and incident channels; strangers refused."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.errors import KeycheckError, UnknownAction
from bot.models import ActionKind, ActionRecord
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.messenger import Place
from bot.slack.modals import (
    ConfirmRequest,
    confirm_modal,
    loading_modal,
    problem_modal,
    undo_modal,
)
from handlers.choices import on_action
from handlers.hop import ack_now, after_ack, in_background, tell_click
from handlers.middleware import guarded, needs_incident, needs_key, needs_record
from handlers.payloads import Click
from handlers.results import place_for, report_outcome

log = logging.getLogger(__name__)

CONFIRMED = {
    ActionId.DEACTIVATE_KEY: ActionKind.DEACTIVATE_KEY,
    ActionId.ATTACH_DENY_ALL: ActionKind.ATTACH_DENY_ALL,
    ActionId.REVOKE_SESSIONS: ActionKind.REVOKE_SESSIONS,
    ActionId.CONTAIN_ALL: ActionKind.CONTAIN_ALL,
    ActionId.DISABLE_CONSOLE_LOGIN: ActionKind.DISABLE_CONSOLE_LOGIN,
}
KNOWN = frozenset(a.value for a in ActionId)


def register(app: App, services: Services) -> None:
    for action_id, kind in CONFIRMED.items():
        open_first, fill_later = confirmation(app, services, kind)
        on_action(
            app,
            action_id,
            middleware=guarded(services, needs_key),
            ack=open_first,
            lazy=[fill_later],
        )
    open_undo, archive_declared = undo_confirmation(app, services)
    on_action(
        app,
        ActionId.UNDO,
        middleware=guarded(services, needs_record),
        ack=open_undo,
        lazy=[archive_declared],
    )
    for action_id, require, work in (
        (ActionId.APPROVE, needs_record, approve),
        (ActionId.OPEN_CASE, needs_incident, open_case),
        (ActionId.DECLARE_INCIDENT, needs_incident, declare),
    ):
        on_action(
            app,
            action_id,
            middleware=guarded(services, require),
            ack=ack_now,
            lazy=[in_background(app, services, work)],
        )

    def unknown_button(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        click = Click.parse(body)
        log.info("unknown button %s from %s", click.action_id[:40], click.user)
        text = f"Unknown button `{click.action_id[:40]}`: nothing was done."
        tell_click(services.messenger, click, text)

    app.block_action(re.compile(r".*"), matchers=[is_unknown])(unknown_button)


def is_unknown(body: dict[str, Any]) -> bool:
    """Every button keycheck draws has an ActionId; anything else was not drawn by us."""
    return Click.parse(body).action_id not in KNOWN


def confirmation(
    app: App, services: Services, kind: ActionKind
) -> tuple[Callable[[Ack, dict[str, Any]], None], Callable[[dict[str, Any]], None]]:
    """Open a modal before the ack (the trigger lives 3 s), then fill in the plan AWS gives us.

    Opening it in the ack, not after, keeps it on a FaaS runtime too, where the part after
    the ack is an invocation of its own that may start cold, after the trigger expired.
    The modal carries an external id made from the trigger, so the later part finds it.
    """
    messenger = services.messenger

    def open_confirmation(ack: Ack, body: dict[str, Any]) -> None:
        click = Click.parse(body)
        request = confirm_request(services, kind, click)
        loading = {**loading_modal(request), "external_id": modal_external_id(click)}
        try:
            messenger.open_view(click.trigger_id, loading)
        except KeycheckError as error:
            ack()
            text = f"The confirmation did not open ({error}). Press the button again."
            tell_click(messenger, click, text)
            return
        ack()

    def fill_confirmation(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        request = confirm_request(services, kind, click)
        external_id = modal_external_id(click)

        def show(view: dict[str, Any]) -> None:
            try:
                messenger.update_view_by_external_id(
                    external_id, {**view, "external_id": external_id}
                )
            except KeycheckError as error:
                log.warning("confirmation %s not filled in: %s", external_id, error)

        def fill() -> None:
            try:
                steps = services.responder.preview(kind, request.key_id)
            except KeycheckError as error:
                show(problem_modal(request, str(error)))
                return
            show(confirm_modal(request, steps, four_eyes=services.settings.four_eyes))

        after_ack(app, services, fill, on_error=lambda text: show(problem_modal(request, text)))

    open_confirmation.__name__ = f"open_confirmation_{kind.name.lower()}"
    fill_confirmation.__name__ = f"fill_confirmation_{kind.name.lower()}"
    return open_confirmation, fill_confirmation


def confirm_request(services: Services, kind: ActionKind, click: Click) -> ConfirmRequest:
    value = ButtonValue.decode(click.value)
    return ConfirmRequest(
        action=kind,
        key_id=value.k,
        account_id=value.a,
        incident_id=incident_of_key(services, value),
        channel=click.channel,
        thread_ts=click.thread_ts,
    )


def modal_external_id(click: Click) -> str:
    """The external id of the modal a click opens: unique, as its trigger is."""
    return f"kc-confirm-{click.trigger_id}"[:255]


def incident_of_key(services: Services, value: ButtonValue) -> str:
    """The button's incident when the key is that incident's own, else none.

    A timeline's Contain buttons name keys the leaked one minted: they are contained on
    their own, and reported in the thread where the button was pressed.
    """
    incident = services.store.get_incident(value.i) if value.i else None
    return incident.id if incident is not None and incident.access_key_id == value.k else ""


def undo_confirmation(
    app: App, services: Services
) -> tuple[Callable[[Ack, dict[str, Any]], None], Callable[[dict[str, Any]], None]]:
    """Undo a containment through a modal with a reason; archive an incident channel at once.

    The modal opens before the ack, for its trigger's sake (see `confirmation`); the
    archive runs after it. The undo itself runs when the modal is submitted (and, with
    four-eyes, approved).
    """
    archive_later = in_background(app, services, archive)

    def open_undo(ack: Ack, body: dict[str, Any]) -> None:
        click = Click.parse(body)
        value = ButtonValue.decode(click.value)
        record = services.store.get_action(value.r)
        problem = ""
        if record is None:
            problem = f"No action `{value.r[:40]}` in the action log: nothing was undone."
        elif record.action is not ActionKind.DECLARE_INCIDENT:
            problem = open_undo_modal(services, click, value, record)
        ack()
        if problem:
            tell_click(services.messenger, click, problem)

    def archive_declared(body: dict[str, Any]) -> None:
        record = services.store.get_action(ButtonValue.decode(Click.parse(body).value).r)
        if record is not None and record.action is ActionKind.DECLARE_INCIDENT:
            archive_later(body)

    return open_undo, archive_declared


def open_undo_modal(
    services: Services, click: Click, value: ButtonValue, record: ActionRecord
) -> str:
    """Open the undo modal for `record`; what went wrong, or "" when it opened."""
    request = ConfirmRequest(
        action=record.action,
        key_id=record.target,
        account_id=record.account_id,
        incident_id=record.incident_id or value.i,
        channel=click.channel,
        thread_ts=click.thread_ts,
        record_id=record.id,
    )
    modal = undo_modal(request, record, four_eyes=services.settings.four_eyes)
    try:
        services.messenger.open_view(click.trigger_id, modal)
    except KeycheckError as error:
        return f"The confirmation did not open ({error}). Press Undo again."
    return ""


def archive(services: Services, click: Click, value: ButtonValue) -> None:
    record = services.store.get_action(value.r)
    if record is None:
        raise UnknownAction(f"No action `{value.r[:40]}` in the action log: nothing was undone.")
    asked_in = Place(click.channel, click.thread_ts or None)
    place, _ = place_for(services, record.incident_id or value.i, asked_in)
    services.messenger.post_to(place, services.channels.archive(record, actor=click.user))


def approve(services: Services, click: Click, value: ButtonValue) -> None:
    outcome = services.responder.approve(value.r, click.user)
    incident_id = outcome.record.incident_id if outcome.record else value.i
    report_outcome(services, outcome, incident_id, Place(click.channel, click.thread_ts or None))


def open_case(services: Services, click: Click, value: ButtonValue) -> None:
    services.messenger.post_to(*services.cases.open(value.i, actor=click.user))


def declare(services: Services, click: Click, value: ButtonValue) -> None:
    services.messenger.post_to(*services.channels.declare(value.i, actor=click.user))
