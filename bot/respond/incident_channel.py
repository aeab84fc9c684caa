"""Declare incident: its own channel, responders invited, card and summary pinned; undo archives."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING

from bot.errors import KeycheckError, UnknownAction
from bot.models import ActionKind, ActionRecord, ActionState, Incident, KeyReport, utcnow
from bot.respond.responder import new_action_id
from bot.respond.respond_slack import Place, card_for, key_report_of, refresh_card
from bot.slack.messenger import SlackDeliveryError
from bot.slack.replies import (
    Message,
    already_message,
    archived_message,
    declared_message,
    incident_summary,
)

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

A = ActionKind
NAME_LIMIT = 80
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")
BOT_ACTOR_IDS = frozenset({"keycheck"})


def channel_name(incident: Incident, now: datetime, attempt: int = 0) -> str:
    """`inc-YYYYMMDD-<user>`: Slack's rules (lowercase, a-z 0-9 - _, 80 chars); `-2`… if taken."""
    who = incident.user_name or incident.access_key_id[-6:] or incident.id
    slug = _NOT_NAME.sub("-", who.lower()).strip("-_") or "key"
    suffix = f"-{attempt + 1}" if attempt else ""
    head = f"inc-{now:%Y%m%d}-"
    return head + slug[: NAME_LIMIT - len(head) - len(suffix)] + suffix


def _incident(services: Services, incident_id: str) -> Incident:
    incident = services.store.get_incident(incident_id)
    if incident is None:
        raise UnknownAction(f"No incident `{incident_id[:40]}`: nothing was done.")
    return incident


def declare_incident(services: Services, incident_id: str, *, actor: str) -> tuple[Place, Message]:
    """Declare once: a double click finds the first declaration instead of a second channel."""
    incident = _incident(services, incident_id)
    place = Place(incident.channel, incident.thread_ts or None)
    record, inserted = services.store.begin_action(_declaration(services, incident, actor))
    if not inserted:
        return place, already_message(record, "Already declared.")
    try:
        channel_id, name = _create_channel(services, incident, utcnow())
        record.after = {"channel": channel_id, "name": name}
        _invite(services, channel_id, [actor, *services.auth.everyone()])
        report = key_report_of(services, incident)
        _pin_summary_and_card(services, incident, channel_id, actor, report)
    except KeycheckError as error:
        record.state, record.error, record.updated_at = ActionState.FAILED, str(error), utcnow()
        services.store.save_action(record)
        raise
    incident.incident_channel = channel_id
    services.store.save_incident(incident)
    record.state, record.updated_at = ActionState.DONE, utcnow()
    services.store.save_action(record)
    refresh_card(services, incident, report)
    return place, declared_message(channel_id, actor, record)


def _declaration(services: Services, incident: Incident, actor: str) -> ActionRecord:
    history = services.store.actions_for(incident.id)
    closed = (ActionState.UNDONE, ActionState.FAILED)
    generation = sum(
        1 for r in history if r.action is A.DECLARE_INCIDENT and not r.undo_of and r.state in closed
    )
    return ActionRecord(
        id=new_action_id(),
        idempotency_key=f"{A.DECLARE_INCIDENT.value}|{incident.id}|{generation}",
        action=A.DECLARE_INCIDENT,
        actor=actor,
        incident_id=incident.id,
        target=incident.id,
        account_id=incident.account_id,
        reason="incident declared from Slack",
        source="slack",
    )


def _create_channel(services: Services, incident: Incident, now: datetime) -> tuple[str, str]:
    for attempt in range(10):
        name = channel_name(incident, now, attempt)
        try:
            return services.messenger.create_channel(name), name
        except SlackDeliveryError as error:
            if error.code != "name_taken":
                raise
    raise KeycheckError(f"Every channel name like {channel_name(incident, now)} is taken.")


def _invite(services: Services, channel_id: str, users: list[str]) -> None:
    """Invite everyone at once; if Slack refuses the batch, one by one so one bad id costs one."""
    people = sorted({u for u in users if u and u not in BOT_ACTOR_IDS})
    try:
        services.messenger.invite(channel_id, people)
        return
    except SlackDeliveryError as error:
        log.warning("inviting responders to %s at once failed: %s", channel_id, error.code)
    for user in people:
        try:
            services.messenger.invite(channel_id, [user])
        except SlackDeliveryError as error:
            log.warning("could not invite %s to %s: %s", user, channel_id, error.code)


def _pin_summary_and_card(
    services: Services, incident: Incident, channel_id: str, actor: str, report: KeyReport | None
) -> None:
    messenger = services.messenger
    link = ""
    if incident.channel and incident.thread_ts:
        link = messenger.permalink(incident.channel, incident.thread_ts)
    text, blocks = incident_summary(incident, link, actor, report)
    messenger.pin(channel_id, messenger.post(channel_id, text, blocks))
    card = card_for(services, incident, report)
    if card is not None:
        messenger.pin(channel_id, messenger.post(channel_id, *card))


def archive_incident_channel(services: Services, record: ActionRecord, *, actor: str) -> Message:
    """The undo of a declaration: archive its channel once, and unlink it from the card."""
    channel_id = str(record.after.get("channel", ""))
    if record.state is not ActionState.DONE or not channel_id:
        return already_message(record, "Nothing to archive.")
    undo, inserted = services.store.begin_action(
        ActionRecord(
            id=new_action_id(),
            idempotency_key=f"undo|{record.id}|0",
            action=A.DECLARE_INCIDENT,
            actor=actor,
            incident_id=record.incident_id,
            target=record.target,
            account_id=record.account_id,
            reason="incident channel archived from Slack",
            undo_of=record.id,
            source="slack",
            before={"channel": channel_id},
        )
    )
    if not inserted:
        return already_message(undo, "Already archived.")
    try:
        services.messenger.archive(channel_id)
    except SlackDeliveryError as error:
        if error.code != "already_archived":
            undo.state, undo.error = ActionState.FAILED, str(error)
            services.store.save_action(undo)
            raise
    services.store.swap_action(
        record.model_copy(update={"state": ActionState.UNDONE}), ActionState.DONE
    )
    undo.state, undo.after, undo.updated_at = ActionState.DONE, {"archived": channel_id}, utcnow()
    services.store.save_action(undo)
    incident = services.store.get_incident(record.incident_id)
    if incident is not None and incident.incident_channel == channel_id:
        incident.incident_channel = ""
        services.store.save_incident(incident)
        refresh_card(services, incident, key_report_of(services, incident))
    return archived_message(channel_id, actor, undo)
