"""Modal submissions: containment needs a reason, then runs once and is reported in the thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.respond.authorization import responders_only, user_of
from bot.errors import UnknownAction
from bot.models import ActionKind
from bot.respond.respond_slack import after_ack, place_for, post_to, refresh_card, tell
from bot.services import Services
from bot.slack.ids import CallbackId
from bot.slack.modals import ConfirmRequest, missing_reason, reason_of, snooze_of
from bot.slack.replies import outcome_message
from handlers.triage import STATUS, announce, set_status

log = logging.getLogger(__name__)

A = ActionKind
CONTAINMENT = frozenset({A.DEACTIVATE_KEY, A.ATTACH_DENY_ALL, A.REVOKE_SESSIONS, A.CONTAIN_ALL})


def submitted(body: dict[str, Any]) -> ConfirmRequest | None:
    """The request a modal carried, or None for a form keycheck did not make."""
    try:
        request = ConfirmRequest.decode(str((body.get("view") or {}).get("private_metadata", "")))
    except UnknownAction:
        return None
    return request if request.action in CONTAINMENT or request.action in STATUS else None


def submitted_channel(body: dict[str, Any]) -> str:
    request = submitted(body)
    return request.channel if request else ""


def register(app: App, services: Services) -> None:
    guard = responders_only(services, channel=submitted_channel)

    def check_submission(ack: Ack, body: dict[str, Any]) -> None:
        """Close the modal, or keep it open with the error under the empty reason box."""
        request = submitted(body)
        if request is not None and request.action in CONTAINMENT and not reason_of(body["view"]):
            ack(response_action="errors", errors=missing_reason())
            return
        ack()

    def run_submission(body: dict[str, Any]) -> None:
        request, user = submitted(body), user_of(body)
        if request is None:
            log.warning("a modal submission from %s carried no request keycheck made", user)
            return
        view = body["view"]
        if request.action in CONTAINMENT and not reason_of(view):
            return
        after_ack(
            app,
            services,
            lambda: run(services, request, user, view),
            on_error=lambda text: tell(services, request.channel, user, text),
        )

    app.view(CallbackId.CONFIRM_ACTION.value, middleware=[guard])(
        ack=check_submission, lazy=[run_submission]
    )


def run(services: Services, request: ConfirmRequest, user: str, view: dict[str, Any]) -> None:
    if request.action in STATUS:
        triage(services, request, user, view)
        return
    outcome = services.responder.request(
        request.action,
        request.key_id,
        request.account_id,
        actor=user,
        reason=reason_of(view),
        incident_id=request.incident_id,
        source="slack",
        require_approval=services.settings.four_eyes,
    )
    place, incident = place_for(services, request.incident_id, request.channel, request.thread_ts)
    post_to(services, place, outcome_message(outcome))
    if incident is not None and outcome.steps:
        refresh_card(services, incident)


def triage(services: Services, request: ConfirmRequest, user: str, view: dict[str, Any]) -> None:
    note = reason_of(view)
    incident = set_status(
        services, request.incident_id, request.action, actor=user, snooze=snooze_of(view), note=note
    )
    announce(services, incident, user, note)
