"""Acknowledge / False positive (with how long the thread stays quiet) and Reopen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import App

from bot.errors import KeycheckError, UnknownAction
from bot.models import ActionKind, ActionRecord, ActionState, Incident, IncidentStatus, utcnow
from bot.respond.responder import new_action_id
from bot.respond.respond_slack import Click, Place, post_to, refresh_card, tell
from bot.services import Services
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.modals import ConfirmRequest, triage_modal
from bot.slack.replies import triage_message
from handlers.containment import ack_now, guarded, in_background, needs_incident

A = ActionKind
STATUS = {
    A.ACKNOWLEDGE: IncidentStatus.ACKNOWLEDGED,
    A.FALSE_POSITIVE: IncidentStatus.FALSE_POSITIVE,
    A.REOPEN: IncidentStatus.OPEN,
}


def register(app: App, services: Services) -> None:
    for action_id, kind in (
        (ActionId.ACKNOWLEDGE, A.ACKNOWLEDGE),
        (ActionId.FALSE_POSITIVE, A.FALSE_POSITIVE),
    ):
        app.action(action_id.value, middleware=guarded(services, needs_incident))(
            ack=ack_now, lazy=[triage_choice(services, kind)]
        )
    app.action(ActionId.REOPEN.value, middleware=guarded(services, needs_incident))(
        ack=ack_now, lazy=[in_background(app, services, reopen)]
    )


def triage_choice(services: Services, kind: ActionKind) -> Callable[[dict[str, Any]], None]:
    """Ask how long to stay quiet; nothing in AWS, so the modal opens with its content."""

    def open_triage(body: dict[str, Any]) -> None:
        click = Click.parse(body)
        value = ButtonValue.decode(click.value)
        incident = services.store.get_incident(value.i)
        if incident is None:
            tell(
                services,
                click.channel,
                click.user,
                f"No incident `{value.i[:40]}`: nothing was done.",
            )
            return
        request = ConfirmRequest(
            action=kind,
            key_id=incident.access_key_id,
            account_id=incident.account_id,
            incident_id=incident.id,
            channel=click.channel,
            thread_ts=click.thread_ts,
        )
        try:
            services.messenger.open_view(click.trigger_id, triage_modal(request, incident.title))
        except KeycheckError as error:
            tell(
                services, click.channel, click.user, f"The form did not open ({error}). Try again."
            )

    open_triage.__name__ = f"open_triage_{kind.name.lower()}"
    return open_triage


def set_status(
    services: Services,
    incident_id: str,
    kind: ActionKind,
    *,
    actor: str,
    snooze: timedelta | None = None,
    note: str = "",
) -> Incident:
    """Mark the incident and record who did it; ingest keeps counting while pings are paused."""
    incident = services.store.get_incident(incident_id)
    if incident is None:
        raise UnknownAction(f"No incident `{incident_id[:40]}`: nothing was done.")
    now = utcnow()
    before = {"status": incident.status.value, "snoozed_until": _iso(incident)}
    incident.status = STATUS[kind]
    incident.snoozed_until = now + snooze if snooze and kind is not A.REOPEN else None
    services.store.save_incident(incident)
    services.store.begin_action(
        ActionRecord(
            id=new_action_id(),
            idempotency_key=f"{kind.value}|{incident.id}|{new_action_id()}",
            action=kind,
            actor=actor,
            incident_id=incident.id,
            target=incident.id,
            account_id=incident.account_id,
            reason=note,
            state=ActionState.DONE,
            before=before,
            after={"status": incident.status.value, "snoozed_until": _iso(incident)},
            source="slack",
        )
    )
    return incident


def _iso(incident: Incident) -> str:
    return incident.snoozed_until.isoformat() if incident.snoozed_until else ""


def announce(services: Services, incident: Incident, actor: str, note: str = "") -> None:
    """Say it in the thread and show the new status on the card."""
    post_to(
        services,
        Place(incident.channel, incident.thread_ts or None),
        triage_message(incident, actor, note),
    )
    refresh_card(services, incident)


def reopen(services: Services, click: Click, value: ButtonValue) -> None:
    incident = set_status(services, value.i, A.REOPEN, actor=click.user)
    announce(services, incident, click.user)
