"""Declare incident: a private channel for responders, card and summary pinned; undo archives."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bot.domain.actions import failed_undos, generation, incident_key, new_action_id, undo_key
from bot.errors import KeycheckError, UnknownAction
from bot.models import ActionKind, ActionRecord, ActionState, Incident, KeyReport, utcnow
from bot.slack.blocks import Message
from bot.slack.fallback import archived_text, declared_text
from bot.slack.messenger import Messenger, Place, SlackDeliveryError
from bot.slack.replies import (
    already_message,
    archived_message,
    declared_message,
    incident_summary,
)
from bot.store import Store

log = logging.getLogger(__name__)

NAME_LIMIT = 80
NAME_PREFIX = "keycheck-"
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")
BOT_ACTOR_IDS = frozenset({"keycheck"})


def channel_name(incident: Incident, attempt: int = 0) -> str:
    """`keycheck-<incident id>`, within Slack's rules (lowercase, a-z 0-9 - _, 80 chars);
    `-2`… if taken. Named by the incident, not the IAM user: a channel's name is seen by
    the whole workspace in its list of channels, the user's name by the responders only."""
    slug = _NOT_NAME.sub("-", incident.id.lower()).strip("-_") or "incident"
    suffix = f"-{attempt + 1}" if attempt else ""
    return NAME_PREFIX + slug[: NAME_LIMIT - len(NAME_PREFIX) - len(suffix)] + suffix


def pinned_card(history: list[ActionRecord], channel_id: str) -> str:
    """The ts of the card pinned in an incident's channel, from the declaration that made it."""
    for record in reversed(history):
        declared = record.action is ActionKind.DECLARE_INCIDENT and not record.undo_of
        here = record.state is ActionState.DONE and record.after.get("channel") == channel_id
        if declared and here:
            return str(record.after.get("card", ""))
    return ""


CardOf = Callable[[Incident, KeyReport | None], Message | None]
RefreshCard = Callable[[Incident, KeyReport | None], None]
ReportOf = Callable[[Incident], KeyReport | None]


class IncidentChannels:
    """Declares and archives incident channels; the card's drawing is injected by ingest."""

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        *,
        responders: Callable[[], list[str]],
        card: CardOf,
        refresh_card: RefreshCard,
        report_of: ReportOf,
    ) -> None:
        self.store = store
        self.messenger = messenger
        self.responders = responders
        self.card = card
        self.refresh_card = refresh_card
        self.report_of = report_of

    def _incident(self, incident_id: str) -> Incident:
        incident = self.store.get_incident(incident_id)
        if incident is None:
            raise UnknownAction(f"No incident `{incident_id[:40]}`: nothing was done.")
        return incident

    def declare(self, incident_id: str, *, actor: str) -> tuple[Place, Message]:
        """Declare once: a double click finds the first declaration instead of a second channel."""
        incident = self._incident(incident_id)
        place = Place(incident.channel, incident.thread_ts or None)
        record, inserted = self.store.begin_action(self._declaration(incident, actor))
        if not inserted:
            return place, already_message(record, "Already declared.")
        try:
            channel_id, name = self._create_channel(incident)
            record.after = {"channel": channel_id, "name": name}
            self._invite(channel_id, [actor, *self.responders()])
            report = self.report_of(incident)
            card_ts = self._pin_summary_and_card(incident, channel_id, actor, report)
            record.after["card"] = card_ts
        except KeycheckError as error:
            record.state, record.error, record.updated_at = ActionState.FAILED, str(error), utcnow()
            self.store.save_action(record)
            raise
        incident.incident_channel = channel_id
        self.store.save_incident(incident)
        record.state, record.updated_at = ActionState.DONE, utcnow()
        self.store.save_action(record)
        self.refresh_card(incident, report)
        _, blocks = declared_message(channel_id, actor, record)
        text = declared_text(self.messenger.real_name(actor), incident.id, name)
        return place, (text, blocks)

    def _declaration(self, incident: Incident, actor: str) -> ActionRecord:
        history = self.store.actions_for(incident.id)
        action = ActionKind.DECLARE_INCIDENT
        return ActionRecord(
            id=new_action_id(),
            idempotency_key=incident_key(action, incident.id, generation(history, action)),
            action=action,
            actor=actor,
            incident_id=incident.id,
            target=incident.id,
            account_id=incident.account_id,
            reason="incident declared from Slack",
            source="slack",
        )

    def _create_channel(self, incident: Incident) -> tuple[str, str]:
        """A private channel: an incident's details are for the responders invited to it."""
        for attempt in range(10):
            name = channel_name(incident, attempt)
            try:
                return self.messenger.create_channel(name, private=True), name
            except SlackDeliveryError as error:
                if error.code != "name_taken":
                    raise
        raise KeycheckError(f"Every channel name like {channel_name(incident)} is taken.")

    def _invite(self, channel_id: str, users: list[str]) -> None:
        """Invite everyone at once; if Slack refuses, one by one so one bad id costs one."""
        people = sorted({u for u in users if u and u not in BOT_ACTOR_IDS})
        try:
            self.messenger.invite(channel_id, people)
            return
        except SlackDeliveryError as error:
            log.warning("inviting responders to %s at once failed: %s", channel_id, error.code)
        for user in people:
            try:
                self.messenger.invite(channel_id, [user])
            except SlackDeliveryError as error:
                log.warning("could not invite %s to %s: %s", user, channel_id, error.code)

    def _pin_summary_and_card(
        self, incident: Incident, channel_id: str, actor: str, report: KeyReport | None
    ) -> str:
        """Pin the summary and the card; the card's ts, so that its redraws follow it here."""
        messenger = self.messenger
        link = ""
        if incident.channel and incident.thread_ts:
            link = messenger.permalink(incident.channel, incident.thread_ts)
        text, blocks = incident_summary(incident, link, actor, report)
        messenger.pin(channel_id, messenger.post(channel_id, text, blocks))
        card = self.card(incident, report)
        if card is None:
            return ""
        card_ts = messenger.post(channel_id, *card)
        messenger.pin(channel_id, card_ts)
        return card_ts

    def archive(self, record: ActionRecord, *, actor: str) -> Message:
        """The undo of a declaration: archive its channel once, and unlink it from the card."""
        channel_id = str(record.after.get("channel", ""))
        if record.state is not ActionState.DONE or not channel_id:
            return already_message(record, "Nothing to archive.")
        history = self.store.actions_for(record.incident_id)
        undo, inserted = self.store.begin_action(
            ActionRecord(
                id=new_action_id(),
                idempotency_key=undo_key(record.id, failed_undos(history, record.id)),
                action=ActionKind.DECLARE_INCIDENT,
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
            self.messenger.archive(channel_id)
        except SlackDeliveryError as error:
            if error.code != "already_archived":
                undo.state, undo.error = ActionState.FAILED, str(error)
                self.store.save_action(undo)
                raise
        self.store.swap_action(
            record.model_copy(update={"state": ActionState.UNDONE}), ActionState.DONE
        )
        undo.state, undo.after, undo.updated_at = (
            ActionState.DONE,
            {"archived": channel_id},
            utcnow(),
        )
        self.store.save_action(undo)
        self._unlink(record.incident_id, channel_id)
        _, blocks = archived_message(channel_id, actor, undo)
        name = str(record.after.get("name", channel_id))
        return archived_text(self.messenger.real_name(actor), name), blocks

    def _unlink(self, incident_id: str, channel_id: str) -> None:
        incident = self.store.get_incident(incident_id)
        if incident is not None and incident.incident_channel == channel_id:
            incident.incident_channel = ""
            self.store.save_incident(incident)
            self.refresh_card(incident, self.report_of(incident))
