""" "Was this you?": find a key's owner from its IAM user's tag, ask them, record the answer.

The owner is the person the tag (`owner_tag` in the settings) names: a Slack user id,
or an email Slack knows. They are asked once per incident (the question is an action
record, so a redelivered card or a second replica never asks twice), and only they may
answer; the answer is recorded before anyone is told. "Yes" is a note for the responders
and changes nothing; "No" calls the responders in and, where the settings say so,
contains the key as keycheck itself, through the responder pipeline like any action.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.iam import list_user_tags
from bot.aws.sessions import Sessions
from bot.domain.actions import incident_key, new_action_id
from bot.errors import KeycheckError, UnknownAction
from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionRecord,
    ActionState,
    Incident,
    KeyReport,
    OutcomeStatus,
    OwnerLookup,
    utcnow,
)
from bot.respond.autocontain import auto_actions
from bot.respond.responder import Responder
from bot.slack.messenger import Messenger, Place
from bot.slack.owner_blocks import (
    already_answered,
    owner_answered,
    owner_confirmed,
    owner_denied,
    owner_question,
)
from bot.store import Store

log = logging.getLogger(__name__)

SLACK_ID = re.compile(r"\A[UW][A-Z0-9]{2,}\Z")
EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")
ANSWERS = (ActionKind.OWNER_CONFIRMED, ActionKind.OWNER_DENIED)
OWNER_ACTOR = "keycheck"
KeyReporter = Callable[[str], KeyReport | None]
RefreshCard = Callable[[Incident, KeyReport | None], None]
# The key contained as keycheck when the owner says no: the outcomes, one per action.
Contain = Callable[[Incident, str], list[ActionOutcome]]


def not_yours(owner: str) -> str:
    return (
        f"Only the key's owner (<@{owner}>) may answer this question. Nothing was recorded "
        "and nothing changed."
    )


def mention_responders(group: str, users: list[str]) -> str:
    """The responders as Slack mentions: the group when there is one, else each responder."""
    if group:
        return f"<!subteam^{group}>"
    return " ".join(f"<@{user}>" for user in users if SLACK_ID.match(user))


@dataclass(frozen=True)
class Answer:
    """What the owner's answer came to: its audit record, and any containment it started."""

    record: ActionRecord
    outcomes: list[ActionOutcome]


class Owners:
    """Asks a key's owner once per incident and records their answer."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        messenger: Messenger,
        *,
        tag: str,
        key_report: KeyReporter,
        refresh_card: RefreshCard,
        call_in: Callable[[], str],
        contain: Contain | None = None,
    ) -> None:
        """`call_in` mentions the responders; `contain` is given only where "No" contains."""
        self.store, self.sessions, self.messenger = store, sessions, messenger
        self.tag = tag
        self.key_report = key_report
        self.refresh_card = refresh_card
        self.call_in = call_in
        self.contain = contain
        self._found: dict[str, OwnerLookup] = {}
        self._lock = threading.Lock()
        # One thread: owners are asked after their card, never in front of the next one.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="owner")

    # -- asking ------------------------------------------------------------------------------

    def later(self, incident: Incident) -> None:
        """Once the card is in Slack: find the owner and ask, off the delivery thread."""

        def run() -> None:
            try:
                self.ask(incident)
            except Exception:  # the card and the responders go on without the owner's word
                log.exception("owner of incident %s not asked", incident.id)

        self._pool.submit(run)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def known(self, report: KeyReport) -> OwnerLookup | None:
        """What was found about the key's owner, for the card; never calls AWS or Slack."""
        with self._lock:
            return self._found.get(report.access_key_id)

    def ask(self, incident: Incident) -> OwnerLookup | None:
        """Find the owner, DM them once, and redraw the card with what was found."""
        if not incident.access_key_id:
            return None
        report = self.key_report(incident.access_key_id)
        if report is None or report.error:
            return None
        found = self.find(report)
        if found.slack_user:
            found = self._question(incident, found)
        with self._lock:
            self._found[report.access_key_id] = found
        self.refresh_card(incident, report)
        return found

    def find(self, report: KeyReport) -> OwnerLookup:
        """The Slack user the IAM user's owner tag names, or the reason there is none."""
        if not report.user_name:
            return OwnerLookup(problem="the key belongs to a role session, not an IAM user")
        try:
            iam = self.sessions.client("iam", report.account_id)
            tags = list_user_tags(iam, report.user_name)
        except (ClientError, BotoCoreError, KeycheckError) as error:
            return OwnerLookup(problem=f"the IAM user's tags could not be read ({_why(error)})")
        value = tags.get(self.tag, "").strip()
        if not value:
            return OwnerLookup(problem=f"IAM user `{report.user_name}` has no `{self.tag}` tag")
        return self._slack_user(value)

    def _slack_user(self, value: str) -> OwnerLookup:
        if SLACK_ID.match(value):
            return OwnerLookup(slack_user=value)
        if not EMAIL.match(value):
            return OwnerLookup(problem="the owner tag is neither a Slack user id nor an email")
        user = self.messenger.user_by_email(value)
        if user is None:
            return OwnerLookup(problem="nobody in Slack has the email the owner tag names")
        return OwnerLookup(slack_user=user)

    def _question(self, incident: Incident, found: OwnerLookup) -> OwnerLookup:
        """Record the question, then send it; a second ask finds the record and sends nothing."""
        record, inserted = self.store.begin_action(
            ActionRecord(
                id=new_action_id(),
                idempotency_key=incident_key(ActionKind.OWNER_ASKED, incident.id, 0),
                action=ActionKind.OWNER_ASKED,
                actor=OWNER_ACTOR,
                incident_id=incident.id,
                target=incident.access_key_id,
                account_id=incident.account_id,
                reason="the key's owner is asked whether the activity was theirs",
                source="owner",
                after={"owner": found.slack_user},
            )
        )
        if not inserted:
            return found
        alerts = self.store.alerts_for(incident.id)
        try:
            channel = self.messenger.open_dm(found.slack_user)
            posted = self.messenger.post_message(channel, *owner_question(incident, alerts[0]))
        except KeycheckError as error:
            record.state, record.error, record.updated_at = ActionState.FAILED, str(error), utcnow()
            self.store.save_action(record)
            return OwnerLookup(problem=f"the owner could not be messaged ({error})")
        record.state, record.updated_at = ActionState.DONE, utcnow()
        record.after = {"owner": found.slack_user, "channel": posted.channel, "ts": posted.ts}
        self.store.save_action(record)
        return found

    # -- answering ---------------------------------------------------------------------------

    def owner_of(self, incident_id: str) -> str:
        """The Slack user asked about this incident's key; UnknownAction if nobody was."""
        for record in self.store.actions_for(incident_id):
            if record.action is ActionKind.OWNER_ASKED and record.state is ActionState.DONE:
                return str(record.after.get("owner", ""))
        raise UnknownAction("Nobody was asked about this incident: nothing was recorded.")

    def answered(self, incident_id: str) -> bool | None:
        """True if the owner said it was them, False if not, None while unanswered."""
        for record in self.store.actions_for(incident_id):
            if record.action in ANSWERS:
                return record.action is ActionKind.OWNER_CONFIRMED
        return None

    def answer(self, incident_id: str, user: str, *, confirmed: bool, reason: str = "") -> Answer:
        """Record the owner's answer once (the first answer stands), then tell the thread."""
        incident = self.store.get_incident(incident_id)
        if incident is None:
            raise UnknownAction(f"No incident `{incident_id[:40]}`: nothing was recorded.")
        owner = self.owner_of(incident_id)
        if user != owner:
            raise UnknownAction(not_yours(owner))
        kind = ActionKind.OWNER_CONFIRMED if confirmed else ActionKind.OWNER_DENIED
        record, inserted = self.store.begin_action(
            ActionRecord(
                id=new_action_id(),
                idempotency_key=f"owner-answer|{incident.id}",
                action=kind,
                actor=user,
                incident_id=incident.id,
                target=incident.access_key_id,
                account_id=incident.account_id,
                reason=reason or "the owner says this was not them",
                source="owner",
            )
        )
        if not inserted:
            raise UnknownAction(already_answered(record.action is ActionKind.OWNER_CONFIRMED))
        record.state, record.updated_at = ActionState.DONE, utcnow()
        self.store.save_action(record)
        self._close_question(incident, confirmed)
        return Answer(record, self._tell_thread(incident, user, confirmed, reason))

    def _tell_thread(
        self, incident: Incident, owner: str, confirmed: bool, reason: str
    ) -> list[ActionOutcome]:
        place = Place(incident.channel, incident.thread_ts or None)
        if confirmed:
            self.messenger.post_to(place, owner_confirmed(owner, reason))
            return []
        denied = owner_denied(owner, self.call_in(), containing=self.contain is not None)
        self.messenger.post_to(place, denied)
        if self.contain is None:
            return []
        return self.contain(incident, f"the key's owner <@{owner}> says this was not them")

    def _close_question(self, incident: Incident, confirmed: bool) -> None:
        """The DM loses its buttons; if Slack refuses, the answer is recorded all the same."""
        asked = next(
            (r for r in self.store.actions_for(incident.id) if r.action is ActionKind.OWNER_ASKED),
            None,
        )
        if asked is None or not asked.after.get("ts"):
            return
        try:
            channel, ts = str(asked.after["channel"]), str(asked.after["ts"])
            self.messenger.update(channel, ts, *owner_answered(incident, confirmed))
        except KeycheckError as error:
            log.warning("owner's question for %s not closed: %s", incident.id, error)


def _why(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__


def contain_as_keycheck(responder: Responder) -> Contain:
    """ "No, that wasn't me" where the settings say so: the auto-containment actions, each
    through the responder pipeline (recorded, done once, undoable), by keycheck itself."""

    def contain(incident: Incident, reason: str) -> list[ActionOutcome]:
        key_id = incident.access_key_id
        outcomes = []
        for action in auto_actions(key_id):
            try:
                outcomes.append(
                    responder.request(
                        action,
                        key_id,
                        incident.account_id,
                        actor=OWNER_ACTOR,
                        reason=reason,
                        incident_id=incident.id,
                        source="owner",
                    )
                )
            except KeycheckError as error:
                log.warning("containment on the owner's word failed for %s: %s", key_id, error)
                outcomes.append(ActionOutcome(status=OutcomeStatus.FAILED, message=str(error)))
        return outcomes

    return contain
