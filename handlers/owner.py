""" "Was this you?": the owner's two buttons in their direct message, and the reason form.

Only the person asked may answer; they need not be a responder. Anyone else's click
(a forwarded or forged one) is refused in a modal, which reaches whoever pressed,
wherever they pressed: an ephemeral note cannot reach someone outside the DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.errors import KeycheckError, UnknownAction
from bot.respond.owner import not_yours
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue, CallbackId
from bot.slack.messenger import Place
from bot.slack.modals import REASON_BLOCK, reason_of
from bot.slack.owner_blocks import (
    OWNER_REASON_REQUIRED,
    already_answered,
    reason_modal,
    refusal_modal,
)
from handlers.hop import ack_now, after_ack
from handlers.payloads import Click, user_of
from handlers.results import report_outcome

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    app.action(ActionId.OWNER_YES.value)(ack=ack_now, lazy=[ask_reason(services)])
    app.action(ActionId.OWNER_NO.value)(ack=ack_now, lazy=[deny(app, services)])

    def check_reason(ack: Ack, body: dict[str, Any]) -> None:
        if not reason_of(body["view"]):
            ack(response_action="errors", errors={REASON_BLOCK: OWNER_REASON_REQUIRED})
            return
        ack()

    def confirm(body: dict[str, Any]) -> None:
        user, view = user_of(body), body["view"]
        incident_id = str(view.get("private_metadata", ""))
        reason = reason_of(view)
        if not reason:
            return
        after_ack(
            app,
            services,
            lambda: answer(services, incident_id, user, confirmed=True, reason=reason),
            on_error=lambda text: log.warning("owner's answer from %s: %s", user, text),
        )

    app.view(CallbackId.OWNER_REASON.value)(ack=check_reason, lazy=[confirm])


def refuse(services: Services, click: Click, text: str) -> None:
    log.info("refused %s from %s: %s", click.action_id[:40], click.user, text)
    services.store.bump("owner.refused")
    try:
        services.messenger.open_view(click.trigger_id, refusal_modal(text))
    except KeycheckError as error:
        log.warning("could not tell %s no: %s", click.user, error)


def checked_owner(services: Services, click: Click) -> str | None:
    """The incident id when the presser is the one asked and has not answered; else refused."""
    try:
        incident_id = ButtonValue.decode(click.value).i
        if services.owners.owner_of(incident_id) != click.user:
            raise UnknownAction(not_yours(services.owners.owner_of(incident_id)))
        answered = services.owners.answered(incident_id)
    except UnknownAction as error:
        refuse(services, click, str(error))
        return None
    if answered is not None:
        refuse(services, click, already_answered(answered))
        return None
    return incident_id


def ask_reason(services: Services) -> Any:
    def open_reason(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        incident_id = checked_owner(services, click)
        if incident_id is None:
            return
        try:
            services.messenger.open_view(click.trigger_id, reason_modal(incident_id))
        except KeycheckError as error:
            log.warning("reason form for %s did not open: %s", click.user, error)

    return open_reason


def deny(app: App, services: Services) -> Any:
    def owner_denies(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        incident_id = checked_owner(services, click)
        if incident_id is None:
            return
        after_ack(
            app,
            services,
            lambda: answer(services, incident_id, click.user, confirmed=False),
            on_error=lambda text: refuse(services, click, text),
        )

    return owner_denies


def answer(
    services: Services, incident_id: str, user: str, *, confirmed: bool, reason: str = ""
) -> None:
    """Record and announce; containment the settings asked for is reported like any other."""
    result = services.owners.answer(incident_id, user, confirmed=confirmed, reason=reason)
    incident = services.store.get_incident(incident_id)
    place = Place(incident.channel, incident.thread_ts or None) if incident else Place("")
    for outcome in result.outcomes:
        report_outcome(services, outcome, incident_id, place)
