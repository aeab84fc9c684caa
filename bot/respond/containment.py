"""Containment as steps: a pure plan of exactly what will change, and the IAM calls that do it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.analysis.footprint import FootprintItem
from bot.aws import iam as iam_api
from bot.aws.policies import has_login_profile
from bot.domain.policies import (
    DENY_ALL,
    REVOKE_SESSIONS,
    deny_all,
    policy_json,
    revoke_cutoff,
    revoke_sessions,
    written_by_keycheck,
)
from bot.errors import KeycheckError, UnknownAction
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    ContainmentStep,
    KeyKind,
    KeyReport,
    PrincipalKind,
)
from bot.respond import footprint_steps
from bot.respond.footprint_steps import FOOTPRINT_ACTIONS, FOOTPRINT_UNDO
from bot.respond.keyreport import role_name

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

A = ActionKind
UNDO_ACTION = {
    A.DEACTIVATE_KEY: A.REACTIVATE_KEY,
    A.REACTIVATE_KEY: A.DEACTIVATE_KEY,
    A.ATTACH_DENY_ALL: A.REMOVE_DENY_ALL,
    A.REMOVE_DENY_ALL: A.ATTACH_DENY_ALL,
    A.REVOKE_SESSIONS: A.REMOVE_REVOKE,
    A.REMOVE_REVOKE: A.REVOKE_SESSIONS,
}
UNDO_ACTION |= FOOTPRINT_UNDO
KEY_ACTIONS = frozenset({A.DEACTIVATE_KEY, A.REACTIVATE_KEY})
# Done once, never undone: IAM keeps no copy of a console password to put back.
ONE_WAY = frozenset({A.DISABLE_CONSOLE_LOGIN})
CONTAIN_LONG_TERM = (A.DEACTIVATE_KEY, A.ATTACH_DENY_ALL, A.REVOKE_SESSIONS)
CONTAIN_TEMPORARY = (A.REVOKE_SESSIONS, A.ATTACH_DENY_ALL)
# IAM is eventually consistent: a read right after a write may not show it yet.
READ_BACK_DELAYS = (0.5, 1.0, 2.0)


class CannotContain(KeycheckError):
    """The action cannot be planned for this key (unknown owner, temporary key, lookup error)."""


@dataclass(frozen=True)
class StepResult:
    """What one step found, and what IAM shows after it: the audit's before and after."""

    before: dict[str, Any]
    after: dict[str, Any]
    request_id: str


def plan(action: ActionKind, report: KeyReport, now: datetime) -> list[ContainmentStep]:
    """Exactly what `action` will change for this key, in the order it will change it."""
    if report.error:
        raise CannotContain(f"Cannot {action.value} {report.access_key_id}: {report.error}")
    actions: tuple[ActionKind, ...]
    if action is A.CONTAIN_ALL:
        temporary = report.kind is KeyKind.TEMPORARY
        actions = CONTAIN_TEMPORARY if temporary else CONTAIN_LONG_TERM
    elif action in UNDO_ACTION or action in ONE_WAY:
        actions = (action,)
    else:
        raise UnknownAction(f"`{action.value}` is not a containment action.")
    kind, name = principal_of(report)
    return [_step(a, report, kind, name, now) for a in actions]


def principal_of(report: KeyReport) -> tuple[PrincipalKind, str]:
    """Who the policies go on: the session's role for a role session, else the key's user."""
    role = role_name(report.role_arn)
    if report.kind is KeyKind.TEMPORARY and role:
        return PrincipalKind.ROLE, role
    if report.user_name:
        return PrincipalKind.USER, report.user_name
    raise CannotContain(
        f"The owner of {report.access_key_id} is unknown, so there is nothing to contain it on."
    )


def _step(
    action: ActionKind, report: KeyReport, kind: PrincipalKind, name: str, now: datetime
) -> ContainmentStep:
    step = ContainmentStep(
        action=action,
        account_id=report.account_id,
        key_id=report.access_key_id,
        principal_kind=kind,
        principal_name=name,
    )
    if action in KEY_ACTIONS:
        if report.kind is KeyKind.TEMPORARY:
            raise CannotContain(
                f"{report.access_key_id} is a temporary (ASIA) key: it cannot be deactivated. "
                f"Revoke sessions on {kind.value} {name} instead."
            )
        step.key_status = "Inactive" if action is A.DEACTIVATE_KEY else "Active"
    elif action is A.DISABLE_CONSOLE_LOGIN:
        if kind is not PrincipalKind.USER:
            raise CannotContain(f"Role {name} has no console password: only users have one.")
    elif action in (A.ATTACH_DENY_ALL, A.REMOVE_DENY_ALL):
        step.policy_name = DENY_ALL
        step.policy_document = deny_all() if action is A.ATTACH_DENY_ALL else None
    else:
        step.policy_name = REVOKE_SESSIONS
        step.policy_document = revoke_sessions(now) if action is A.REVOKE_SESSIONS else None
    step.summary = describe_step(step)
    return step


def describe_step(step: ContainmentStep) -> str:
    """One sentence that says exactly what the step changes, for the confirmation."""
    if step.action in FOOTPRINT_ACTIONS:
        return footprint_steps.describe(step)
    who = f"IAM {step.principal_kind.value} `{step.principal_name}` in account {step.account_id}"
    if step.action in KEY_ACTIONS:
        return (
            f"Set access key `{step.key_id}` of {who} to {step.key_status}. It is not "
            "deleted, and the user's other keys are not touched."
        )
    if step.action is A.DISABLE_CONSOLE_LOGIN:
        return (
            f"Delete the console password (login profile) of {who}. This cannot be undone: "
            "IAM keeps no copy of a password, so only an administrator can set a new one "
            "(keycheck never sees or sets passwords). Access keys are not touched."
        )
    if step.policy_document is None:
        return f"Remove inline policy `{step.policy_name}` from {who}."
    if step.action is A.ATTACH_DENY_ALL and step.policy_document == deny_all():
        return f"Put inline policy `{step.policy_name}` (Deny * on *) on {who}."
    if step.action is A.REVOKE_SESSIONS and revoke_cutoff(step):
        whose = (
            "every session of the role"
            if step.principal_kind is PrincipalKind.ROLE
            else "every session the user's keys minted"
        )
        return (
            f"Put inline policy `{step.policy_name}` on {who}: deny {whose} issued "
            f"before {revoke_cutoff(step)}."
        )
    return f"Restore the earlier inline policy `{step.policy_name}` on {who}."


def undo_step(record: ActionRecord) -> ContainmentStep | None:
    """The step that puts back what `record` found, or None when it changed nothing.

    A key that was already Inactive stays Inactive; a policy of our name that existed
    before we wrote it comes back exactly as it was, unless keycheck itself wrote it
    (an earlier run whose result was never read back): then undo removes it.
    """
    if record.action in FOOTPRINT_ACTIONS:
        return footprint_steps.undo(record)
    action = UNDO_ACTION.get(record.action)
    before, after = record.before, record.after
    if action is None or "principal" not in before:
        raise CannotContain(f"Action {record.id} ({record.action.value}) has no undo.")
    kind, _, name = str(before["principal"]).partition("/")
    step = ContainmentStep(
        action=action,
        account_id=record.account_id,
        key_id=str(before.get("key_id") or record.target),
        principal_kind=PrincipalKind(kind),
        principal_name=name,
    )
    if record.action in KEY_ACTIONS:
        if before.get("status") == after.get("status"):
            return None
        step.key_status = str(before.get("status", ""))
    else:
        prior = before.get("document")
        if written_by_keycheck(prior):
            prior = None
        if prior == after.get("document"):
            return None
        step.policy_name = str(before.get("policy_name", ""))
        step.policy_document = prior
    step.summary = describe_step(step)
    return step


def read_back(report: KeyReport, records: list[ActionRecord]) -> KeyReport:
    """The report as done steps left it, from what each read back from IAM after its write.

    The report was read once before the plan; each step's `after` is IAM's own answer
    after the change, so together they are the key's state now without asking again.
    """
    status = report.status
    inline = dict.fromkeys(report.inline_policies)
    for record in records:
        if record.state is not ActionState.DONE:
            continue
        if record.action in KEY_ACTIONS:
            status = str(record.after.get("status", status))
            continue
        name = str(record.after.get("policy_name", ""))
        if not name:
            continue
        if record.after.get("document") is None:
            inline.pop(name, None)
        else:
            inline[name] = None
    return report.model_copy(
        update={
            "status": status,
            "inline_policies": list(inline),
            "deny_all_attached": DENY_ALL in inline,
            "revoke_attached": REVOKE_SESSIONS in inline,
        }
    )


def apply(
    step: ContainmentStep,
    iam: IAMClient,
    *,
    sleep: Callable[[float], None] = time.sleep,
    before_write: Callable[[dict[str, Any]], None] = lambda before: None,
) -> StepResult:
    """Run one step, then read IAM back so the result is what is true now, not what was asked.

    `before_write` gets what IAM showed before the change, just before the change is made:
    recorded then, it lets a restart tell (and undo) a change whose runner died mid-call.
    """
    before = read_state(step, iam)
    before_write(before)
    request_id = _write(step, iam, before)
    after = read_state(step, iam)
    for delay in READ_BACK_DELAYS:
        if reached(step, after):
            break
        sleep(delay)
        after = read_state(step, iam)
    return StepResult(before=before, after=after, request_id=request_id)


def read_state(step: ContainmentStep, iam: IAMClient) -> dict[str, Any]:
    """The part of IAM this step touches: the key's status, or the policy's document."""
    if step.action in FOOTPRINT_ACTIONS:
        return footprint_steps.read_state(step, iam)
    state: dict[str, Any] = {"principal": step.principal}
    name = step.principal_name
    if step.action in KEY_ACTIONS:
        keys = iam_api.list_access_keys(iam, name)
        status = next((k.status for k in keys if k.key_id == step.key_id), "absent")
        return state | {"key_id": step.key_id, "status": status}
    if step.action is A.DISABLE_CONSOLE_LOGIN:
        return state | {"login_profile": has_login_profile(iam, name)}
    if step.principal_kind is PrincipalKind.USER:
        document = iam_api.get_user_policy(iam, name, step.policy_name)
    else:
        document = iam_api.get_role_policy(iam, name, step.policy_name)
    return state | {"policy_name": step.policy_name, "document": document}


def reached(step: ContainmentStep, state: dict[str, Any]) -> bool:
    """True when IAM shows what the step asked for."""
    if step.action in FOOTPRINT_ACTIONS:
        return footprint_steps.reached(step, state)
    if step.action in KEY_ACTIONS:
        return bool(state.get("status") == step.key_status)
    if step.action is A.DISABLE_CONSOLE_LOGIN:
        return state.get("login_profile") is False
    return bool(state.get("document") == step.policy_document)


def _write(step: ContainmentStep, iam: IAMClient, before: dict[str, Any]) -> str:
    if step.action in FOOTPRINT_ACTIONS:
        return footprint_steps.write(step, iam, before)
    name, policy = step.principal_name, step.policy_name
    user = step.principal_kind is PrincipalKind.USER
    if step.action in KEY_ACTIONS:
        return iam_api.update_access_key(iam, name, step.key_id, step.key_status)
    if step.action is A.DISABLE_CONSOLE_LOGIN:
        return iam_api.delete_login_profile(iam, name)
    if step.policy_document is not None:
        text = policy_json(step.policy_document)
        if user:
            return iam_api.put_user_policy(iam, name, policy, text)
        return iam_api.put_role_policy(iam, name, policy, text)
    if before.get("document") is None:
        return ""
    if user:
        return iam_api.delete_user_policy(iam, name, policy)
    return iam_api.delete_role_policy(iam, name, policy)


def footprint_plan(items: Sequence[FootprintItem]) -> tuple[list[ContainmentStep], list[str]]:
    """The steps that contain what the chain left behind, and what they leave to a person.

    Keys are deactivated and users denied (never deleted: they are evidence); a console
    password, a created role or a group's grant is listed for the responder instead.
    """
    steps: list[ContainmentStep] = []
    left: list[str] = []
    for item in items:
        try:
            step = footprint_steps.item_step(item)
        except footprint_steps.NothingToContain as why:
            left.append(str(why))
            continue
        step.summary = describe_step(step)
        steps.append(step)
    return steps, left
