"""The Slack side of responding: who clicked where, where results go, and work after the ack."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.respond.cases import open_case
from bot.errors import KeycheckError, UnknownAction
from bot.respond.keyreport import build_key_report
from bot.models import ActionKind, ActionRecord, ActionState, Incident, KeyReport, utcnow
from bot.respond.responder import new_action_id
from bot.slack.cards import incident_card
from bot.slack.messenger import SlackDeliveryError
from bot.slack.replies import (
    Message,
    already_message,
    case_message,
    key_report_message,
    lookup_problem,
)

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.services import Services
    from bot.slack.messenger import PostedMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Click:
    """A button press, reduced to what listeners use."""

    user: str
    channel: str
    message_ts: str
    thread_ts: str
    trigger_id: str
    action_id: str
    value: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Click:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        message = body.get("message") or {}
        message_ts = str(container.get("message_ts") or message.get("ts") or "")
        return cls(
            user=str((body.get("user") or {}).get("id", "")),
            channel=str((body.get("channel") or {}).get("id") or container.get("channel_id", "")),
            message_ts=message_ts,
            thread_ts=str(container.get("thread_ts") or message.get("thread_ts") or message_ts),
            trigger_id=str(body.get("trigger_id", "")),
            action_id=str(action.get("action_id", "")),
            value=str(action.get("value", "")),
        )


@dataclass(frozen=True)
class Place:
    """A channel, and the thread in it (None: the channel itself)."""

    channel: str
    thread_ts: str | None = None


def place_for(
    services: Services, incident_id: str, channel: str, thread_ts: str | None
) -> tuple[Place, Incident | None]:
    """The incident's thread when there is one (the audit lives there), else where asked."""
    incident = services.store.get_incident(incident_id) if incident_id else None
    if incident is not None and incident.channel and incident.thread_ts:
        return Place(incident.channel, incident.thread_ts), incident
    return Place(channel, thread_ts or None), incident


def post_to(services: Services, place: Place, message: Message) -> PostedMessage:
    """Post where asked; in a public channel keycheck is not in yet, join it first."""
    text, blocks = message
    messenger = services.messenger
    try:
        return messenger.post_message(place.channel, text, blocks, thread_ts=place.thread_ts)
    except SlackDeliveryError as error:
        if error.code != "not_in_channel":
            raise
    messenger.join(place.channel)
    return messenger.post_message(place.channel, text, blocks, thread_ts=place.thread_ts)


def tell(services: Services, channel: str, user: str, text: str) -> None:
    """An ephemeral note to one person; if Slack refuses it, the log is all that is left."""
    if not channel or not user:
        log.warning("no channel or user to tell: %s", text[:80])
        return
    try:
        services.messenger.ephemeral(channel, user, text)
    except KeycheckError as error:
        log.warning("could not tell %s: %s", user, error)


def problem_text(error: Exception) -> str:
    """A domain error in its own words; anything else a reference to find it in the log."""
    if isinstance(error, KeycheckError):
        return str(error)
    reference = secrets.token_hex(4)
    log.error("unexpected error (ref %s)", reference, exc_info=error)
    return (
        f"Something went wrong on keycheck's side (ref `{reference}`). "
        "Check the thread before retrying."
    )


def after_ack(
    app: App, services: Services, job: Callable[[], None], *, on_error: Callable[[str], None]
) -> None:
    """Run AWS work on the response threads, never Bolt's: a slow IAM must not hold the next ack.

    Bolt runs acknowledgements and lazy listeners on one small pool; work that waits on AWS
    goes to `services.work` instead. When Bolt processes before responding (a FaaS runtime,
    where a lazy listener is an invocation of its own), the work runs right here.
    """

    def run() -> None:
        try:
            job()
        except Exception as error:  # every failure reaches the person who asked
            on_error(problem_text(error))

    if app.process_before_response:
        run()
    else:
        services.work.submit(run)


def lookup(services: Services, key_id: str) -> tuple[KeyReport, Incident | None, str]:
    """The key's report, its open incident and a link to that incident's card."""
    report = build_key_report(services.sessions, key_id)
    if report.error:
        return report, None, ""
    incident = services.store.find_incident(report.account_id, key_id)
    link = ""
    if incident is not None and incident.channel and incident.thread_ts:
        try:
            link = services.messenger.permalink(incident.channel, incident.thread_ts)
        except KeycheckError as error:
            log.warning("no permalink for incident %s: %s", incident.id, error)
    return report, incident, link


def post_report(
    services: Services, key_id: str, *, channel: str, user: str, thread_ts: str | None = None
) -> tuple[PostedMessage, KeyReport, Incident | None] | None:
    """Look a key up and post its report where asked; None (and a note to `user`) when AWS can't."""
    report, incident, link = lookup(services, key_id)
    if report.error:
        tell(services, channel, user, lookup_problem(key_id, report.error))
        return None
    posted = post_to(
        services,
        Place(channel, thread_ts),
        key_report_message(report, incident, incident_link=link),
    )
    return posted, report, incident


def case_for_incident(services: Services, incident_id: str, *, actor: str) -> tuple[Place, Message]:
    """Open (or add to) the incident's AWS Support case; a double click opens one case."""
    incident = services.store.get_incident(incident_id)
    if incident is None:
        raise UnknownAction(f"No incident `{incident_id[:40]}`: no case was opened.")
    place = Place(incident.channel, incident.thread_ts or None)
    history = services.store.actions_for(incident.id)
    asked = sum(
        1
        for r in history
        if r.action is ActionKind.OPEN_CASE and r.state is not ActionState.REQUESTED
    )
    record, inserted = services.store.begin_action(
        ActionRecord(
            id=new_action_id(),
            idempotency_key=f"{ActionKind.OPEN_CASE.value}|{incident.id}|{asked}",
            action=ActionKind.OPEN_CASE,
            actor=actor,
            incident_id=incident.id,
            target=incident.id,
            account_id=incident.account_id,
            reason="case asked for from Slack",
            source="slack",
        )
    )
    if not inserted:
        return place, already_message(record, "A case is already being opened.")
    report = (
        build_key_report(services.sessions, incident.access_key_id)
        if incident.access_key_id
        else None
    )
    outcome = open_case(
        services.sessions, incident, services.store.alerts_for(incident.id), report, history
    )
    if outcome.case_id and outcome.case_id != incident.case_id:
        incident.case_id = outcome.case_id
        services.store.save_incident(incident)
    record.state = ActionState.DONE if outcome.case_id else ActionState.FAILED
    record.after = {"case_id": outcome.case_id, "status": outcome.status.value}
    record.aws_request_id, record.error = (
        outcome.request_id,
        "" if outcome.case_id else outcome.message,
    )
    record.updated_at = utcnow()
    services.store.save_action(record)
    return place, case_message(outcome, actor)


def key_report_of(services: Services, incident: Incident) -> KeyReport | None:
    """The incident key's report now, or None for a key-less incident or a bad id."""
    if not incident.access_key_id:
        return None
    try:
        return build_key_report(services.sessions, incident.access_key_id)
    except KeycheckError as error:
        log.warning("no key report for incident %s: %s", incident.id, error)
        return None


def card_for(services: Services, incident: Incident, report: KeyReport | None) -> Message | None:
    """The incident's card as it should read now (status, links, key state)."""
    alerts = services.store.alerts_for(incident.id)
    if not alerts:
        return None
    if report is not None:
        services.enricher.remember(report)
    return incident_card(incident, alerts[0], services.enricher(alerts[0]))


def refresh_card(services: Services, incident: Incident, report: KeyReport | None = None) -> None:
    """Redraw the card in the alerts channel after its incident changed."""
    if not incident.channel or not incident.thread_ts:
        return
    card = card_for(services, incident, report or key_report_of(services, incident))
    if card is None:
        return
    try:
        services.messenger.update(incident.channel, incident.thread_ts, *card)
    except KeycheckError as error:
        log.warning("card of incident %s not refreshed: %s", incident.id, error)
