"""The response pipeline: an action asked for is planned, done once, read back and recorded."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.sessions import unreachable
from bot.aws.sts import get_access_key_info
from bot.domain.actions import action_key, failed_undos, generation, new_action_id, undo_key
from bot.domain.keys import parse_key_id
from bot.errors import ActionFailed, KeycheckError, NotAuthorized, UnknownAction
from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionRecord,
    ActionState,
    ContainmentStep,
    KeyReport,
    OutcomeStatus,
    utcnow,
)
from bot.respond.containment import UNDO_ACTION, apply, plan, read_back, undo_step
from bot.respond.keyreport import build_key_report, state_summary
from bot.respond.outcome import aws_error, step_line, when

if TYPE_CHECKING:
    from bot.aws.sessions import Sessions
    from bot.store import Store

log = logging.getLogger(__name__)

CONTAINMENT = frozenset(UNDO_ACTION) | {ActionKind.CONTAIN_ALL}
# A record still `requested` after this long lost its runner (a crash, a killed process).
STALE_AFTER = timedelta(minutes=5)


class Responder:
    """Runs containment for Slack, the CLI and auto-containment alike, with one action log."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        *,
        clock: Callable[[], datetime] = utcnow,
        key_report: Callable[[str], KeyReport] | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.clock = clock
        self.key_report = key_report or (lambda key_id: build_key_report(sessions, key_id))

    def preview(self, action: ActionKind, key_id: str) -> list[ContainmentStep]:
        """The plan a confirmation shows; nothing is written anywhere."""
        return plan(action, self.key_report(parse_key_id(key_id)), self.clock())

    def request(
        self,
        action: ActionKind,
        key_id: str,
        account_id: str = "",
        *,
        actor: str,
        reason: str,
        incident_id: str = "",
        source: str = "slack",
        require_approval: bool = False,
    ) -> ActionOutcome:
        """Ask for an action; a repeat of the same request finds the first and runs nothing."""
        key_id = parse_key_id(key_id)
        if action not in CONTAINMENT:
            raise UnknownAction(f"`{action.value}` is not a containment action.")
        fields = {
            "actor": actor,
            "reason": reason,
            "incident_id": incident_id,
            "source": source,
            "account_id": account_id or self._account_of(key_id),
        }
        state = ActionState.AWAITING_APPROVAL if require_approval else ActionState.REQUESTED
        record, inserted = self._begin(action, key_id, state, **fields)
        if not inserted:
            return self._existing(record)
        if require_approval:
            return self._awaiting(record)
        return self._run(record)

    def approve(self, action_id: str, approver: str) -> ActionOutcome:
        """A second responder's go-ahead; nobody approves their own request, and only once.

        An undo waits for the same go-ahead: re-activating a leaked key is as much a
        decision as deactivating it.
        """
        record = self._get(action_id)
        if record.state is not ActionState.AWAITING_APPROVAL:
            return self._existing(record)
        if approver == record.actor:
            raise NotAuthorized("You asked for this action: another responder has to approve it.")
        approved = record.model_copy(
            update={
                "state": ActionState.REQUESTED,
                "approved_by": approver,
                "updated_at": self.clock(),
            }
        )
        if not self.store.swap_action(approved, ActionState.AWAITING_APPROVAL):
            return self._existing(self._get(action_id))
        if approved.undo_of:
            return self._run_undo(self._get(approved.undo_of), approved)
        return self._run(approved)

    def undo(
        self,
        action_id: str,
        *,
        actor: str,
        reason: str,
        source: str = "slack",
        require_approval: bool = False,
    ) -> ActionOutcome:
        """Put back what an action found, once; contain-all is undone step by step, last first."""
        original = self._get(action_id)
        if original.undo_of or original.action not in CONTAINMENT:
            raise UnknownAction(f"Action {original.id} ({original.action.value}) has no undo.")
        if original.state is not ActionState.DONE:
            return self._not_undoable(original)
        state = ActionState.AWAITING_APPROVAL if require_approval else ActionState.REQUESTED
        record, inserted = self._begin_undo(
            original, actor=actor, reason=reason, source=source, state=state
        )
        if not inserted:
            return self._existing(record)
        if require_approval:
            return self._awaiting_undo(original, record)
        return self._run_undo(original, record)

    def _run_undo(self, original: ActionRecord, record: ActionRecord) -> ActionOutcome:
        if original.state is not ActionState.DONE:
            error = f"{original.id} is {original.state.value} now: there is nothing to undo."
            return self._outcome(self._finish(record, error=error), [])
        if original.action is ActionKind.CONTAIN_ALL:
            return self._undo_all(original, record)
        record = self._undo_one(original, record)
        return self._outcome(record, [record])

    def _account_of(self, key_id: str) -> str:
        try:
            return get_access_key_info(self.sessions.own_client("sts"), key_id)
        except ClientError as error:
            raise ActionFailed(
                f"Cannot tell which account owns {key_id} ({type(error).__name__}): "
                "nothing was done."
            ) from error
        except BotoCoreError as error:
            raise ActionFailed(
                f"Cannot tell which account owns {key_id}: {unreachable(error)} Nothing was done."
            ) from error

    def _get(self, action_id: str) -> ActionRecord:
        record = self.store.get_action(action_id.strip())
        if record is None:
            raise UnknownAction(f"No action `{action_id.strip()[:40]}` in the action log.")
        return record

    def _begin(
        self,
        action: ActionKind,
        target: str,
        state: ActionState,
        *,
        account_id: str,
        parent_id: str = "",
        **fields: str,
    ) -> tuple[ActionRecord, bool]:
        """Write the request before any AWS call; an existing one with the same key wins."""
        history = self.store.actions_for_target(account_id, target)

        now = self.clock()
        record = ActionRecord(
            id=new_action_id(),
            idempotency_key=action_key(action, account_id, target, generation(history, action)),
            action=action,
            target=target,
            account_id=account_id,
            state=state,
            requested_at=now,
            updated_at=now,
            parent_id=parent_id,
            **fields,
        )
        return self.store.begin_action(record)

    def _begin_undo(
        self,
        original: ActionRecord,
        *,
        actor: str,
        reason: str,
        source: str,
        parent_id: str = "",
        approved_by: str = "",
        state: ActionState = ActionState.REQUESTED,
    ) -> tuple[ActionRecord, bool]:
        history = self.store.actions_for_target(original.account_id, original.target)
        now = self.clock()
        record = ActionRecord(
            id=new_action_id(),
            idempotency_key=undo_key(original.id, failed_undos(history, original.id)),
            action=UNDO_ACTION.get(original.action, original.action),
            actor=actor,
            reason=reason,
            incident_id=original.incident_id,
            target=original.target,
            account_id=original.account_id,
            requested_at=now,
            updated_at=now,
            undo_of=original.id,
            parent_id=parent_id,
            source=source,
            state=state,
            approved_by=approved_by,
        )
        return self.store.begin_action(record)

    def _run(self, record: ActionRecord) -> ActionOutcome:
        """Plan from what AWS says now, then run the steps; the record ends done or failed."""
        report = self.key_report(record.target)
        try:
            if report.account_id and report.account_id != record.account_id:
                raise ActionFailed(
                    f"{record.target} belongs to account {report.account_id}, "
                    f"not {record.account_id}: nothing was done."
                )
            steps = plan(record.action, report, self.clock())
        except KeycheckError as error:
            return self._outcome(self._finish(record, error=str(error)), [])
        if record.action is ActionKind.CONTAIN_ALL:
            outcome = self._run_all(record, steps)
        else:
            record = self._execute(record, steps[0])
            outcome = self._outcome(record, [record], steps)
        outcome.report = read_back(report, outcome.steps)
        return outcome

    def _run_all(self, parent: ActionRecord, steps: list[ContainmentStep]) -> ActionOutcome:
        """Each step is its own record, with the same key a single button would use."""
        children: list[ActionRecord] = []
        for step in steps:
            child, inserted = self._begin(
                step.action,
                parent.target,
                ActionState.REQUESTED,
                account_id=parent.account_id,
                parent_id=parent.id,
                actor=parent.actor,
                reason=parent.reason,
                incident_id=parent.incident_id,
                source=parent.source,
                approved_by=parent.approved_by,
            )
            children.append(self._execute(child, step) if inserted else child)
        failed = [c for c in children if not self._settled(c)]
        error = "; ".join(f"{c.action.value}: {c.error or c.state.value}" for c in failed)
        parent.after = {
            "steps": [{"id": c.id, "action": c.action, "state": c.state} for c in children]
        }
        return self._outcome(self._finish(parent, error=error), children, steps)

    def _settled(self, step: ActionRecord) -> bool:
        """Done, or being done right now by another request that asked for the same step."""
        if step.state is ActionState.REQUESTED:
            return self.clock() - step.updated_at < STALE_AFTER
        return step.state is ActionState.DONE

    def _execute(self, record: ActionRecord, step: ContainmentStep) -> ActionRecord:
        """One IAM change, read back; any AWS error is the record's, not an exception.

        The principal is named, not identified: the write goes ahead only in its account.
        """
        try:
            principal = f"IAM {step.principal}"
            self.sessions.require_acting_in(step.account_id, principal, step.account_id)
            result = apply(step, self.sessions.client("iam", step.account_id))
        except (ClientError, BotoCoreError, KeycheckError) as error:
            return self._finish(record, error=aws_error(error))
        record.before, record.after = result.before, result.after
        record.aws_request_id = result.request_id
        return self._finish(record)

    def _finish(self, record: ActionRecord, *, error: str = "") -> ActionRecord:
        record.state = ActionState.FAILED if error else ActionState.DONE
        record.error = error
        record.updated_at = self.clock()
        self.store.save_action(record)
        return record

    def _undo_one(self, original: ActionRecord, record: ActionRecord) -> ActionRecord:
        step = undo_step(original)
        if step is None:
            record.before = record.after = dict(original.before)
            record = self._finish(record)
        else:
            record = self._execute(record, step)
        if record.state is ActionState.DONE:
            undone = original.model_copy(
                update={"state": ActionState.UNDONE, "updated_at": self.clock()}
            )
            self.store.swap_action(undone, ActionState.DONE)
        return record

    def _undo_all(self, parent: ActionRecord, record: ActionRecord) -> ActionOutcome:
        children = [c for c in self.store.child_actions(parent.id) if c.state is ActionState.DONE]
        undone: list[ActionRecord] = []
        for child in reversed(children):
            step_record, inserted = self._begin_undo(
                child,
                actor=record.actor,
                reason=record.reason,
                source=record.source,
                parent_id=record.id,
                approved_by=record.approved_by,
            )
            undone.append(self._undo_one(child, step_record) if inserted else step_record)
        failed = [u for u in undone if u.state is not ActionState.DONE]
        record = self._finish(record, error="; ".join(u.error or u.state.value for u in failed))
        if record.state is ActionState.DONE:
            self.store.swap_action(
                parent.model_copy(update={"state": ActionState.UNDONE}), ActionState.DONE
            )
        return self._outcome(record, undone)

    def _awaiting(self, record: ActionRecord) -> ActionOutcome:
        try:
            steps = plan(record.action, self.key_report(record.target), self.clock())
        except KeycheckError as error:
            return self._outcome(self._finish(record, error=str(error)), [])
        return ActionOutcome(
            status=OutcomeStatus.AWAITING_APPROVAL,
            message=(
                f"{record.actor} asked to {record.action.value} {record.target}: "
                "waiting for another responder to approve."
            ),
            record=record,
            plan=steps,
        )

    def _awaiting_undo(self, original: ActionRecord, record: ActionRecord) -> ActionOutcome:
        steps = [] if original.action is ActionKind.CONTAIN_ALL else [undo_step(original)]
        return ActionOutcome(
            status=OutcomeStatus.AWAITING_APPROVAL,
            message=(
                f"{record.actor} asked to undo {original.action.value} on {record.target} "
                f"({original.id}): waiting for another responder to approve."
            ),
            record=record,
            plan=[step for step in steps if step is not None],
        )

    def _existing(self, record: ActionRecord) -> ActionOutcome:
        """The answer to a repeat: what the first request came to, never a second AWS call."""
        what = f"{record.action.value} on {record.target}"
        by = f"by {record.actor} at {when(record.requested_at)}"
        if record.state is ActionState.REQUESTED:
            if self.clock() - record.updated_at >= STALE_AFTER:
                return self._in_doubt(record)
            message = f"Already requested {by} and still running: {what}."
        elif record.state is ActionState.AWAITING_APPROVAL:
            message = f"Already requested {by}: {what} waits for another responder's approval."
        elif record.state is ActionState.DONE:
            approved = f", approved by {record.approved_by}" if record.approved_by else ""
            done = f"by {record.actor} at {when(record.updated_at)}"
            message = f"Already done {done}{approved}: {what}."
        else:
            message = f"Already {record.state.value} ({by}): {what}. {record.error}".strip()
        return ActionOutcome(status=OutcomeStatus.ALREADY, message=message, record=record)

    def _in_doubt(self, record: ActionRecord) -> ActionOutcome:
        """A request whose runner died: report what AWS shows now, and close the record."""
        now_state = state_summary(self.key_report(record.target))
        settled = record.model_copy(
            update={
                "state": ActionState.FAILED,
                "error": f"interrupted before its result was recorded; AWS shows: {now_state}",
                "after": {"read_back": now_state},
                "updated_at": self.clock(),
            }
        )
        self.store.swap_action(settled, ActionState.REQUESTED)
        return ActionOutcome(
            status=OutcomeStatus.IN_DOUBT,
            message=(
                f"In doubt: {record.action.value} on {record.target} was asked by {record.actor} "
                f"at {when(record.requested_at)} but its result was never recorded. "
                f"State now: {now_state}. Ask again to run it."
            ),
            record=settled,
        )

    def _not_undoable(self, original: ActionRecord) -> ActionOutcome:
        if original.state is ActionState.UNDONE:
            return ActionOutcome(
                status=OutcomeStatus.ALREADY,
                message=f"Already undone: {original.action.value} on {original.target}.",
                record=original,
            )
        return ActionOutcome(
            status=OutcomeStatus.FAILED,
            message=f"Only a done action can be undone; {original.id} is {original.state.value}.",
            record=original,
        )

    def _outcome(
        self,
        record: ActionRecord,
        steps: list[ActionRecord],
        planned: list[ContainmentStep] | None = None,
    ) -> ActionOutcome:
        done = record.state is ActionState.DONE
        lines = [step_line(s) for s in steps] or [record.error]
        verb = "Undo" if record.undo_of else record.action.value
        head = f"{verb} on {record.target} by {record.actor}: {'done' if done else 'FAILED'}."
        return ActionOutcome(
            status=OutcomeStatus.DONE if done else OutcomeStatus.FAILED,
            message="\n".join([head, *lines]),
            record=record,
            steps=steps,
            plan=planned or [],
        )
