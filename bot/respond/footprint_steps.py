"""Containing what the attacker left behind, as containment steps: one per footprint item.

A created key is deactivated and a created user gets keycheck's deny-all: the card's own
steps, on the attacker's principals (never a delete: they are evidence). A managed policy
it attached is detached, an inline policy it put is removed, a principal it added to a
role's trust is taken out of it; each of these reads IAM first, and its undo puts back
exactly what was read (the policy attached again, the inline document, the whole trust
document as it was).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.analysis.exposure import trusted_principals
from bot.analysis.footprint import FootprintItem, FootprintKind
from bot.aws import iam as iam_api
from bot.domain.policies import DENY_ALL, deny_all, policy_json
from bot.errors import KeycheckError
from bot.models import ActionKind, ActionRecord, ContainmentStep, PrincipalKind

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

ATTACHMENT = frozenset({ActionKind.DETACH_POLICY, ActionKind.REATTACH_POLICY})
INLINE = frozenset({ActionKind.REMOVE_INLINE_POLICY, ActionKind.RESTORE_INLINE_POLICY})
TRUST = frozenset({ActionKind.REMOVE_TRUST, ActionKind.RESTORE_TRUST})
FOOTPRINT_ACTIONS = ATTACHMENT | INLINE | TRUST
FOOTPRINT_UNDO = {
    ActionKind.DETACH_POLICY: ActionKind.REATTACH_POLICY,
    ActionKind.REATTACH_POLICY: ActionKind.DETACH_POLICY,
    ActionKind.REMOVE_INLINE_POLICY: ActionKind.RESTORE_INLINE_POLICY,
    ActionKind.RESTORE_INLINE_POLICY: ActionKind.REMOVE_INLINE_POLICY,
    ActionKind.REMOVE_TRUST: ActionKind.RESTORE_TRUST,
    ActionKind.RESTORE_TRUST: ActionKind.REMOVE_TRUST,
}


class NothingToContain(KeycheckError):
    """A footprint item with no containment of its own (a group's grant, a console password)."""


def _base(item: FootprintItem, action: ActionKind, key_id: str = "") -> ContainmentStep:
    return ContainmentStep(
        action=action,
        account_id=item.account_id,
        key_id=key_id,
        principal_kind=PrincipalKind(item.target_type),
        principal_name=item.target,
    )


def item_step(item: FootprintItem) -> ContainmentStep:
    """The one change that contains this item, exactly as the confirmation lists it."""
    if item.target_type not in ("user", "role"):
        raise NothingToContain(
            f"{item.label}: a {item.target_type}'s grants are not contained here"
        )
    if item.kind is FootprintKind.ACCESS_KEY:
        step = _base(item, ActionKind.DEACTIVATE_KEY, item.detail)
        step.key_status = "Inactive"
    elif item.kind is FootprintKind.USER:
        step = _base(item, ActionKind.ATTACH_DENY_ALL)
        step.policy_name, step.policy_document = DENY_ALL, deny_all()
    elif item.kind is FootprintKind.ATTACHED_POLICY:
        step = _base(item, ActionKind.DETACH_POLICY)
        step.policy_arn = item.detail
    elif item.kind is FootprintKind.INLINE_POLICY:
        step = _base(item, ActionKind.REMOVE_INLINE_POLICY)
        step.policy_name = item.detail
    elif item.kind is FootprintKind.TRUST:
        step = _base(item, ActionKind.REMOVE_TRUST)
        step.trust_principal = item.detail
    else:
        raise NothingToContain(f"{item.label}: nothing here contains it")
    return step


def step_target(step: ContainmentStep) -> str:
    """What one step acts on, as the action log's target: its repeat finds the first."""
    detail = step.key_id or step.policy_arn or step.trust_principal or step.policy_name
    return f"{step.principal}/{detail}"


def describe(step: ContainmentStep) -> str:
    who = f"IAM {step.principal_kind.value} `{step.principal_name}` in account {step.account_id}"
    sentences = {
        ActionKind.DETACH_POLICY: f"Detach managed policy `{step.policy_arn}` from {who}.",
        ActionKind.REATTACH_POLICY: f"Attach managed policy `{step.policy_arn}` to {who} again.",
        ActionKind.REMOVE_INLINE_POLICY: f"Remove inline policy `{step.policy_name}` from {who} "
        "(undo puts the same document back).",
        ActionKind.RESTORE_INLINE_POLICY: f"Put inline policy `{step.policy_name}` back on {who}.",
        ActionKind.REMOVE_TRUST: f"Remove `{step.trust_principal}` from the trust policy of {who} "
        "(undo restores the trust document read before).",
        ActionKind.RESTORE_TRUST: f"Restore the earlier trust policy of {who}.",
    }
    return sentences[step.action]


def _trust_without(document: dict[str, Any], principal: str) -> dict[str, Any]:
    """The trust document with `principal` taken out of every statement; emptied ones go."""
    statements = document.get("Statement")
    kept: list[Any] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or not isinstance(statement.get("Principal"), dict):
            kept.append(statement)
            continue
        principals: dict[str, Any] = {}
        for kind, value in statement["Principal"].items():
            values = [v for v in (value if isinstance(value, list) else [value]) if v != principal]
            if values:
                principals[kind] = values if len(values) > 1 else values[0]
        if principals:
            kept.append({**statement, "Principal": principals})
    return {**document, "Statement": kept}


def read_state(step: ContainmentStep, iam: IAMClient) -> dict[str, Any]:
    state: dict[str, Any] = {"principal": step.principal}
    kind, name = step.principal_kind.value, step.principal_name
    if step.action in ATTACHMENT:
        attached = step.policy_arn in iam_api.attached_policy_arns(iam, kind, name)
        return state | {"policy_arn": step.policy_arn, "attached": attached}
    if step.action in INLINE:
        document = iam_api.inline_policy(iam, kind, name, step.policy_name)
        return state | {"policy_name": step.policy_name, "document": document}
    document = iam_api.role_trust(iam, name)
    return state | {"trust_principal": step.trust_principal, "document": document}


def reached(step: ContainmentStep, state: dict[str, Any]) -> bool:
    if step.action in ATTACHMENT:
        return bool(state.get("attached")) is (step.action is ActionKind.REATTACH_POLICY)
    if step.action is ActionKind.REMOVE_TRUST:
        trusted = {value for _, value in trusted_principals(state.get("document"))}
        return step.trust_principal not in trusted
    return bool(state.get("document") == step.policy_document)


def _write_inline(step: ContainmentStep, iam: IAMClient, before: dict[str, Any]) -> str:
    name, policy = step.principal_name, step.policy_name
    role = step.principal_kind is PrincipalKind.ROLE
    if step.policy_document is not None:
        text = policy_json(step.policy_document)
        put = iam_api.put_role_policy if role else iam_api.put_user_policy
        return put(iam, name, policy, text)
    if before.get("document") is None:
        return ""
    delete = iam_api.delete_role_policy if role else iam_api.delete_user_policy
    return delete(iam, name, policy)


def write(step: ContainmentStep, iam: IAMClient, before: dict[str, Any]) -> str:
    kind, name = step.principal_kind.value, step.principal_name
    if step.action is ActionKind.DETACH_POLICY:
        return iam_api.detach_policy(iam, kind, name, step.policy_arn) if before["attached"] else ""
    if step.action is ActionKind.REATTACH_POLICY:
        return "" if before["attached"] else iam_api.attach_policy(iam, kind, name, step.policy_arn)
    if step.action in INLINE:
        return _write_inline(step, iam, before)
    document = before.get("document")
    if document is None:
        raise KeycheckError(f"Role {name} no longer exists: its trust cannot be changed.")
    if step.action is ActionKind.REMOVE_TRUST:
        return iam_api.update_trust(
            iam, name, json.dumps(_trust_without(document, step.trust_principal))
        )
    return iam_api.update_trust(iam, name, json.dumps(step.policy_document))


def undo(record: ActionRecord) -> ContainmentStep | None:
    """The step that puts back what `record` found; None when it changed nothing."""
    before, after = record.before, record.after
    kind, _, name = str(before["principal"]).partition("/")
    step = ContainmentStep(
        action=FOOTPRINT_UNDO[record.action],
        account_id=record.account_id,
        key_id="",
        principal_kind=PrincipalKind(kind),
        principal_name=name,
        policy_arn=str(before.get("policy_arn", "")),
        policy_name=str(before.get("policy_name", "")),
        trust_principal=str(before.get("trust_principal", "")),
    )
    if record.action in ATTACHMENT:
        if before.get("attached") == after.get("attached"):
            return None
    else:
        if before.get("document") == after.get("document"):
            return None
        step.policy_document = before.get("document")
    step.summary = describe(step)
    return step
