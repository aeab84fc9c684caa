"""Does a request open something to the world or to another account?

Used by the rule table's conditions, so that sharing a snapshot, AMI or bucket with
outsiders is tagged and tightening or internal changes are not.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.events import TimelineEvent

_ACCOUNT = re.compile(r"(?<!\d)(\d{12})(?!\d)")
# With a "*" principal, these conditions pin access to the organisation, network or account.
_PINNING_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceip",
    }
)
_PUBLIC_GRANTEES = ("AllUsers", "AuthenticatedUsers")
_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _document(value: object) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _pinned(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    keys = {key.lower() for test in condition.values() if isinstance(test, dict) for key in test}
    return bool(keys & _PINNING_KEYS)


def _outsiders(statement: dict[str, Any], own_account: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return not _pinned(statement)
    if not isinstance(principal, dict):
        return False
    for value in _as_list(principal.get("AWS")):
        text = str(value)
        if text == "*":
            return not _pinned(statement)
        accounts = set(_ACCOUNT.findall(text))
        if accounts - {own_account}:
            return True
    return False


def policy_opens(policy: object, own_account: str) -> bool:
    """True when an Allow statement reaches everyone (unpinned) or another account."""
    document = _document(policy)
    if document is None:
        return False
    return any(
        isinstance(statement, dict)
        and statement.get("Effect") == "Allow"
        and _outsiders(statement, own_account)
        for statement in _as_list(document.get("Statement"))
    )


def _own_account(event: TimelineEvent) -> str:
    return event.recipient_account_id or event.account_id


def request_policy_opens(event: TimelineEvent) -> bool:
    """The resource policy in the request (bucket, queue, topic, repository, secret)."""
    params = event.request_parameters
    policy = (
        params.get("bucketPolicy")
        or params.get("policyText")
        or params.get("resourcePolicy")
        or params.get("accessPolicies")
    )
    if policy is None and str(params.get("attributeName", "")).lower() == "policy":
        policy = params.get("attributeValue")
    attributes = params.get("attributes")
    if policy is None and isinstance(attributes, dict):
        policy = attributes.get("Policy")
    return policy_opens(policy, _own_account(event))


def _principals(statement: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) of every principal a statement names: ("AWS", arn), ("Service", …)."""
    principal = statement.get("Principal")
    if principal == "*":
        return [("AWS", "*")]
    if not isinstance(principal, dict):
        return []
    return [(str(kind), str(v)) for kind, value in principal.items() for v in _as_list(value)]


def trusted_principals(policy: object) -> list[tuple[str, str]]:
    """Every (kind, principal) an Allow statement of a trust document lets assume the role."""
    document = _document(policy)
    if document is None:
        return []
    return [
        principal
        for statement in _as_list(document.get("Statement"))
        if isinstance(statement, dict) and statement.get("Effect") == "Allow"
        for principal in _principals(statement)
    ]


def trust_admits_principals(event: TimelineEvent) -> bool:
    """A role trust (CreateRole, UpdateAssumeRolePolicy) admitting identities, not only services.

    A trust limited to AWS services (ec2, lambda, …) lets nobody in from outside; one that
    names users, roles, accounts, "*" or a federated provider is a way back in.
    """
    params = event.request_parameters
    policy = params.get("policyDocument") or params.get("assumeRolePolicyDocument")
    return any(kind != "Service" for kind, _ in trusted_principals(policy))


def _ci(block: object, name: str) -> object:
    """A field of a dict under any capitalisation: exporters differ (add, Add)."""
    if not isinstance(block, dict):
        return None
    return next((v for k, v in block.items() if k.lower() == name.lower()), None)


def adds_permission(event: TimelineEvent) -> bool:
    """An EC2 AMI or snapshot permission added for everyone or for a named account."""
    params = event.request_parameters
    for name in ("launchPermission", "createVolumePermission"):
        items = _ci(_ci(_ci(params, name), "add"), "items")
        for item in _as_list(items):
            if isinstance(item, dict) and (item.get("group") == "all" or item.get("userId")):
                return True
    return False


def adds_restore_access(event: TimelineEvent) -> bool:
    """An RDS snapshot made restorable by other accounts (or 'all')."""
    return bool(_as_list(event.request_parameters.get("valuesToAdd")))


def acl_public(event: TimelineEvent) -> bool:
    """A bucket or object ACL granting everyone, or every AWS user, access."""
    params = event.request_parameters
    if {str(acl).lower() for acl in _as_list(params.get("x-amz-acl"))} & _PUBLIC_ACLS:
        return True
    text = json.dumps(params)
    return any(grantee in text for grantee in _PUBLIC_GRANTEES)
