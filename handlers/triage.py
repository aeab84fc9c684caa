"""Acknowledge / False positive (with how long the thread stays quiet) and Reopen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.errors import KeycheckError
from bot.models import ActionKind
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.modals import ConfirmRequest, triage_modal
from handlers.choices import on_action
from handlers.hop import ack_now, in_background, tell_click
from handlers.middleware import guarded, needs_incident
from handlers.payloads import Click


def register(app: App, services: Services) -> None:
    for action_id, kind in (
        (ActionId.ACKNOWLEDGE, ActionKind.ACKNOWLEDGE),
        (ActionId.FALSE_POSITIVE, ActionKind.FALSE_POSITIVE),
    ):
        on_action(
            app,
            action_id,
            middleware=guarded(services, needs_incident),
            ack=triage_choice(services, kind),
            lazy=[],
        )
    on_action(
        app,
        ActionId.REOPEN,
        middleware=guarded(services, needs_incident),
        ack=ack_now,
        lazy=[in_background(app, services, reopen)],
    )


def triage_choice(services: Services, kind: ActionKind) -> Callable[[Ack, dict[str, Any]], None]:
    """Ask how long to stay quiet; nothing in AWS, so the modal opens with its content.

    It opens before the ack: on a FaaS runtime what runs after the ack is an invocation
    of its own, which may start cold, after the trigger's 3 s.
    """

    def open_triage(ack: Ack, body: dict[str, Any]) -> None:
        click = Click.parse(body)
        value = ButtonValue.decode(click.value)
        incident = services.store.get_incident(value.i)
        problem = f"No incident `{value.i[:40]}`: nothing was done." if incident is None else ""
        if incident is not None:
            request = ConfirmRequest(
                action=kind,
                key_id=incident.access_key_id,
                account_id=incident.account_id,
                incident_id=incident.id,
                channel=click.channel,
                thread_ts=click.thread_ts,
            )
            try:
                modal = triage_modal(request, incident.title)
                services.messenger.open_view(click.trigger_id, modal)
            except KeycheckError as error:
                problem = f"The form did not open ({error}). Try again."
        ack()
        if problem:
            tell_click(services.messenger, click, problem)

    open_triage.__name__ = f"open_triage_{kind.name.lower()}"
    return open_triage


def reopen(services: Services, click: Click, value: ButtonValue) -> None:
    services.triage.apply(value.i, ActionKind.REOPEN, actor=click.user)
