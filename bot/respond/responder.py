"""The response pipeline: an action asked for is planned, done once, read back and recorded."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec
from botocore.exceptions import BotoCoreError, ClientError

from bot.analysis.footprint import FootprintItem
from bot.aws.sessions import unreachable
from bot.aws.sts import get_access_key_info
from bot.domain.actions import (
    action_key,
    failed_undos,
    first_of_request,
    generation,
    new_action_id,
    undo_key,
)
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
from bot.respond.containment import (
    ONE_WAY,
    UNDO_ACTION,
    apply,
    footprint_plan,
    plan,
    reached,
    read_back,
    read_state,
    undo_step,
)
from bot.respond.footprint_steps import step_target
from bot.respond.keyreport import build_key_report, state_summary
from bot.respond.outcome import aws_error, step_line, when
from bot.store import lease_owner

if TYPE_CHECKING:
    from bot.aws.sessions import Sessions
    from bot.store import Store

log = logging.getLogger(__name__)

CONTAINMENT = (
    frozenset(UNDO_ACTION) | {ActionKind.CONTAIN_ALL, ActionKind.CONTAIN_FOOTPRINT} | ONE_WAY
)
# Where a footprint containment awaiting approval keeps the items it was asked for.
FOOTPRINT = "footprint"
# Records whose steps are records of their own, undone and settled step by step.
MULTI_STEP = frozenset({ActionKind.CONTAIN_ALL, ActionKind.CONTAIN_FOOTPRINT})
# A record still `requested` after this long lost its runner (a crash, a killed process):
# the longest an IAM step takes, with its retries, is well under it.
STALE_AFTER = timedelta(minutes=5)
# Two replicas starting at once settle a dead runner's record once.
SETTLE_LEASE_SECONDS = 60.0


class Responder:
    """Runs containment for Slack, the CLI and auto-containment alike, with one action log."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        *,
        clock: Callable[[], datetime] = utcnow,
        key_report: Callable[[str], KeyReport] | None = None,
        contained: Callable[[ActionOutcome], None] | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.clock = clock
        self.key_report = key_report or (lambda key_id: build_key_report(sessions, key_id))
        # This process, as written on every record it runs: host:pid:token.
        self.runner = lease_owner()
        # Told of every containment that ran (the watch starts there); never of an undo.
        self.contained = contained

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
        request_id: str = "",
    ) -> ActionOutcome:
        """Ask for an action; a repeat of the same request finds the first and runs nothing.

        `request_id` names a one-time request (a Slack view): replayed, even after an undo,
        it finds the record it made.
        """
        key_id = parse_key_id(key_id)
        if action not in CONTAINMENT:
            raise UnknownAction(f"`{action.value}` is not a containment action.")
        fields = {
            "actor": actor,
            "reason": reason,
            "incident_id": incident_id,
            "source": source,
            "account_id": account_id or self._account_of(key_id),
            "request_id": request_id,
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
                "runner": self.runner,
            }
        )
        if not self.store.swap_action(approved, ActionState.AWAITING_APPROVAL):
            return self._existing(self._get(action_id))
        if approved.undo_of:
            return self._run_undo(self._get(approved.undo_of), approved)
        if approved.action is ActionKind.CONTAIN_FOOTPRINT:
            return self._run_footprint(approved)
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
        if original.action in ONE_WAY:
            raise UnknownAction(
                f"Action {original.id} ({original.action.value}) cannot be undone: IAM keeps "
                "no copy of the password. An administrator can set a new one in IAM."
            )
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

    def contain_footprint(
        self,
        key_id: str,
        items: Sequence[FootprintItem],
        account_id: str,
        *,
        actor: str,
        reason: str,
        incident_id: str = "",
        source: str = "slack",
        request_id: str = "",
        require_approval: bool = False,
    ) -> ActionOutcome:
        """Contain what the chain of `key_id` left behind: one record, one step per item.

        Each step is recorded before its IAM call under the key a repeat would meet, so a
        second "Contain everything" runs nothing twice; the whole is undone step by step.
        Under four-eyes the items wait in the record for a second responder's approval.
        """
        key_id = parse_key_id(key_id)
        steps, _ = footprint_plan(items)
        if not steps:
            raise ActionFailed(f"Nothing that {key_id} left behind can be contained here.")
        fields = {"actor": actor, "reason": reason, "incident_id": incident_id}
        state = ActionState.AWAITING_APPROVAL if require_approval else ActionState.REQUESTED
        record, inserted = self._begin(
            ActionKind.CONTAIN_FOOTPRINT,
            key_id,
            state,
            account_id=account_id,
            source=source,
            request_id=request_id,
            **fields,
        )
        if not inserted:
            return self._existing(record)
        if require_approval:
            record.before = {FOOTPRINT: msgspec.to_builtins(list(items))}
            self.store.save_action(record)
            return self._awaiting(record, steps)
        return self._run_all(record, steps, target=step_target)

    def _run_footprint(self, record: ActionRecord) -> ActionOutcome:
        """An approved footprint containment: the items it was asked for, planned again."""
        kept = record.before.get(FOOTPRINT) or []
        steps, _ = footprint_plan([msgspec.convert(item, FootprintItem) for item in kept])
        if not steps:
            error = "The request kept nothing that can be contained: nothing was done."
            return self._outcome(self._finish(record, error=error), [])
        return self._run_all(record, steps, target=step_target)

    def _run_undo(self, original: ActionRecord, record: ActionRecord) -> ActionOutcome:
        if original.state is not ActionState.DONE:
            error = f"{original.id} is {original.state.value} now: there is nothing to undo."
            return self._outcome(self._finish(record, error=error), [])
        if original.action in MULTI_STEP:
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
        first = first_of_request(history, fields.get("request_id", ""))
        if first is not None:
            return first, False

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
            runner=self.runner if state is ActionState.REQUESTED else "",
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
            runner=self.runner if state is ActionState.REQUESTED else "",
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
        if self.contained is not None:
            self.contained(outcome)
        return outcome

    def _run_all(
        self,
        parent: ActionRecord,
        steps: list[ContainmentStep],
        target: Callable[[ContainmentStep], str] | None = None,
    ) -> ActionOutcome:
        """Each step is its own record, with the same key a single button would use.

        `target` names what a step acts on when that is not the parent's key (a footprint
        item in its own account).
        """
        self._plan_steps(parent, [step.action for step in steps])
        children: list[ActionRecord] = []
        for step in steps:
            child, inserted = self._begin(
                step.action,
                target(step) if target else parent.target,
                ActionState.REQUESTED,
                account_id=step.account_id if target else parent.account_id,
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

    def _plan_steps(self, parent: ActionRecord, actions: list[ActionKind]) -> None:
        """A multi-step record names its steps first, so a restart can tell if all ran."""
        parent.before = {"steps": [action.value for action in actions]}
        self.store.save_action(parent)

    def _settled(self, step: ActionRecord) -> bool:
        """Done, or being done right now by another request that asked for the same step."""
        if step.state is ActionState.REQUESTED:
            return not self._orphaned(step)
        return step.state is ActionState.DONE

    def _execute(self, record: ActionRecord, step: ContainmentStep) -> ActionRecord:
        """One IAM change, read back; any AWS error is the record's, not an exception.

        The principal is named, not identified: the write goes ahead only in its account.
        """
        try:
            principal = f"IAM {step.principal}"
            self.sessions.require_acting_in(step.account_id, principal, step.account_id)
            iam = self.sessions.client("iam", step.account_id)
            result = apply(
                step, iam, before_write=lambda found: self._remember(record, step, found)
            )
        except (ClientError, BotoCoreError, KeycheckError) as error:
            return self._finish(record, error=aws_error(error))
        record.before, record.after = result.before, result.after
        record.aws_request_id = result.request_id
        return self._finish(record)

    def _remember(self, record: ActionRecord, step: ContainmentStep, found: dict[str, Any]) -> None:
        """Written just before the IAM call: what it found, and exactly what it will ask for."""
        record.before = found | {"step": step.model_dump(mode="json")}
        record.updated_at = self.clock()
        self.store.save_action(record)

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
        self._plan_steps(record, [UNDO_ACTION[c.action] for c in reversed(children)])
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

    def _awaiting(
        self, record: ActionRecord, steps: list[ContainmentStep] | None = None
    ) -> ActionOutcome:
        """The request waiting for approval, with the steps it would take (`steps` when
        they are not planned from the key, as a footprint's are)."""
        try:
            if steps is None:
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
        steps = [] if original.action in MULTI_STEP else [undo_step(original)]
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
            return self._settle(record) if self._orphaned(record) else self._running(record)
        if record.state is ActionState.AWAITING_APPROVAL:
            message = f"Already requested {by}: {what} waits for another responder's approval."
        elif record.state is ActionState.DONE:
            approved = f", approved by {record.approved_by}" if record.approved_by else ""
            done = f"by {record.actor} at {when(record.updated_at)}"
            message = f"Already done {done}{approved}: {what}."
        else:
            message = f"Already {record.state.value} ({by}): {what}. {record.error}".strip()
        return ActionOutcome(status=OutcomeStatus.ALREADY, message=message, record=record)

    def reconcile(self) -> list[ActionOutcome]:
        """Settle what a dead runner left `requested`, from what IAM shows; at every start.

        A record this process runs, or one another live process is running, is left
        alone; steps are settled before the contain-all (or undo-all) they belong to.
        """
        left = [r for r in self.store.requested_actions() if self._orphaned(r)]
        left.sort(key=lambda record: not record.parent_id)
        return [self._settle(record) for record in left]

    def _orphaned(self, record: ActionRecord) -> bool:
        """Nobody runs it any more: its process is gone, or it is older than any run takes.

        A runner on this host is known dead when its pid is gone (or is ours, after a
        restart); one on another host only by the record's age.
        """
        if record.runner == self.runner:
            return False
        host, _, rest = record.runner.partition(":")
        pid = rest.partition(":")[0]
        if record.runner and host == socket.gethostname() and pid.isdigit():
            return int(pid) == os.getpid() or not process_alive(int(pid))
        return self.clock() - record.updated_at >= STALE_AFTER

    def _settle(self, record: ActionRecord) -> ActionOutcome:
        """Close a dead runner's record: done when IAM shows its change, else interrupted."""
        if not self.store.acquire_lease(f"settle|{record.id}", self.runner, SETTLE_LEASE_SECONDS):
            return self._running(record)
        try:
            if record.action in MULTI_STEP:
                settled = self._settle_parent(record)
            else:
                settled = self._settle_step(record)
        except (ClientError, BotoCoreError, KeycheckError) as error:
            return self._in_doubt(record, aws_error(error))
        finally:
            self.store.release_lease(f"settle|{record.id}", self.runner)
        if not self.store.swap_action(settled, ActionState.REQUESTED):
            return self._existing(self._get(record.id))
        if settled.state is ActionState.DONE and settled.undo_of:
            undone = self._get(settled.undo_of).model_copy(update={"state": ActionState.UNDONE})
            self.store.swap_action(undone, ActionState.DONE)
        if settled.state is ActionState.DONE:
            return self._outcome(settled, [settled])
        return self._in_doubt(settled, settled.error)

    def _settle_step(self, record: ActionRecord) -> ActionRecord:
        """Read back the exact change the step was about to ask for, recorded before the call."""
        planned = record.before.get("step")
        if not planned:
            return self._closed(record, "interrupted before IAM was asked: nothing was changed")
        step = ContainmentStep.model_validate(planned)
        self.sessions.require_acting_in(step.account_id, f"IAM {step.principal}", step.account_id)
        now = read_state(step, self.sessions.client("iam", step.account_id))
        if not reached(step, now):
            return self._closed(record, "interrupted, and IAM does not show the change")
        before = {k: v for k, v in record.before.items() if k != "step"}
        return record.model_copy(
            update={"state": ActionState.DONE, "before": before, "after": now, "error": ""}
            | {"updated_at": self.clock()}
        )

    def _settle_parent(self, record: ActionRecord) -> ActionRecord:
        """A multi-step record is done when every step it named is done, else interrupted."""
        children = self.store.child_actions(record.id)
        done = {c.action.value for c in children if c.state is ActionState.DONE}
        planned = record.before.get("steps") or []
        steps = [{"id": c.id, "action": c.action, "state": c.state} for c in children]
        if planned and done >= set(planned):
            return record.model_copy(
                update={"state": ActionState.DONE, "after": {"steps": steps}}
                | {"updated_at": self.clock()}
            )
        return self._closed(record, "interrupted before all its steps were done")

    def _closed(self, record: ActionRecord, why: str) -> ActionRecord:
        return record.model_copy(
            update={"state": ActionState.FAILED, "error": why, "updated_at": self.clock()}
        )

    def _running(self, record: ActionRecord) -> ActionOutcome:
        """A repeat of a request that is running now, here or on another process."""
        message = (
            f"Already requested by {record.actor} at {when(record.requested_at)} and still "
            f"running: {record.action.value} on {record.target}."
        )
        return ActionOutcome(status=OutcomeStatus.ALREADY, message=message, record=record)

    def _in_doubt(self, record: ActionRecord, why: str) -> ActionOutcome:
        """What a person is told about a dead runner's record: what AWS shows now."""
        now_state = state_summary(self.key_report(record.target))
        return ActionOutcome(
            status=OutcomeStatus.IN_DOUBT,
            message=(
                f"In doubt: {record.action.value} on {record.target} was asked by {record.actor} "
                f"at {when(record.requested_at)} but its runner stopped ({why}). "
                f"State now: {now_state}. Ask again to run it."
            ),
            record=record,
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


def process_alive(pid: int) -> bool:
    """True while a process of this pid exists on this host (a zombie counts until reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True
