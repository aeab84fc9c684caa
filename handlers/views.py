"""Modal submissions: containment needs a reason, then runs once and is reported in the thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.errors import UnknownAction
from bot.models import ActionKind
from bot.respond.triage import STATUS
from bot.services import Services
from bot.slack.footprint import unpacked
from bot.slack.ids import CallbackId
from bot.slack.messenger import Place
from bot.slack.modals import ConfirmRequest, missing_reason, reason_of, snooze_of
from handlers.hop import after_ack, tell
from handlers.middleware import responders_only
from handlers.payloads import user_of
from handlers.results import report_outcome

log = logging.getLogger(__name__)

CONTAINMENT = frozenset(
    {
        ActionKind.DEACTIVATE_KEY,
        ActionKind.ATTACH_DENY_ALL,
        ActionKind.REVOKE_SESSIONS,
        ActionKind.CONTAIN_ALL,
        ActionKind.DISABLE_CONSOLE_LOGIN,
        ActionKind.CONTAIN_FOOTPRINT,
    }
)


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


def refuse_foreign_key(services: Services, request: ConfirmRequest) -> None:
    """A form filed under an incident acts on that incident's key, and on no other."""
    if not request.incident_id:
        return
    incident = services.store.get_incident(request.incident_id)
    if incident is None or incident.access_key_id != request.key_id:
        raise UnknownAction(
            f"That form names `{request.key_id[:24]}`, which is not the key of incident "
            f"`{request.incident_id[:40]}`: nothing was done."
        )


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
            on_error=lambda text: tell(services.messenger, request.channel, user, text),
        )

    app.view(CallbackId.CONFIRM_ACTION.value, middleware=[guard])(
        ack=check_submission, lazy=[run_submission]
    )


def run(services: Services, request: ConfirmRequest, user: str, view: dict[str, Any]) -> None:
    if request.action in STATUS:
        services.triage.apply(
            request.incident_id,
            request.action,
            actor=user,
            snooze=snooze_of(view),
            note=reason_of(view),
        )
        return
    asked_in = Place(request.channel, request.thread_ts or None)
    if request.record_id:
        outcome = services.responder.undo(
            request.record_id,
            actor=user,
            reason=reason_of(view),
            require_approval=services.settings.four_eyes,
        )
    elif request.action is ActionKind.CONTAIN_FOOTPRINT:
        outcome = services.responder.contain_footprint(
            request.key_id,
            unpacked(request.items),
            request.account_id,
            actor=user,
            reason=reason_of(view),
            incident_id=request.incident_id,
            request_id=str(view.get("id", "")),
            require_approval=services.settings.four_eyes,
        )
    else:
        refuse_foreign_key(services, request)
        outcome = services.responder.request(
            request.action,
            request.key_id,
            request.account_id,
            actor=user,
            reason=reason_of(view),
            incident_id=request.incident_id,
            source="slack",
            require_approval=services.settings.four_eyes,
            request_id=str(view.get("id", "")),
        )
    report_outcome(services, outcome, request.incident_id, asked_in)
