"""IAM: the reads that describe a key and its principal, and the writes that contain it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from bot.aws.retry import aws_retry, request_id

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

NOT_FOUND = "NoSuchEntity"


@dataclass(frozen=True)
class KeyLastUsed:
    """GetAccessKeyLastUsed's answer: the owner, and when, where and for what it was last used."""

    user_name: str
    used_at: datetime | None
    service: str
    region: str


@dataclass(frozen=True)
class AccessKey:
    """One of a user's access keys, as ListAccessKeys shows it."""

    key_id: str
    status: str
    created: datetime | None


@dataclass(frozen=True)
class AttachedPolicy:
    name: str
    arn: str


def is_not_found(error: ClientError) -> bool:
    """True when IAM says the entity (key, user, role, policy) does not exist."""
    return error.response.get("Error", {}).get("Code") == NOT_FOUND


def _known(value: str) -> str:
    """IAM answers 'N/A' for a key never used; keycheck shows that as nothing."""
    return "" if value == "N/A" else value


@aws_retry()
def get_access_key_last_used(iam: IAMClient, key_id: str) -> KeyLastUsed:
    """Owner and last use of a long-term key of this account.

    Raises ClientError (NoSuchEntity or AccessDenied) for a key of another account,
    a deleted key, and every ASIA key: IAM only knows its own long-term keys.
    """
    response = iam.get_access_key_last_used(AccessKeyId=key_id)
    used = response.get("AccessKeyLastUsed", {})
    return KeyLastUsed(
        user_name=response.get("UserName", ""),
        used_at=used.get("LastUsedDate"),
        service=_known(used.get("ServiceName", "")),
        region=_known(used.get("Region", "")),
    )


@aws_retry()
def list_access_keys(iam: IAMClient, user_name: str) -> list[AccessKey]:
    """Every key of a user (at most two in AWS, but paginated all the same)."""
    keys: list[AccessKey] = []
    for page in iam.get_paginator("list_access_keys").paginate(UserName=user_name):
        for meta in page["AccessKeyMetadata"]:
            keys.append(
                AccessKey(
                    key_id=meta.get("AccessKeyId", ""),
                    status=meta.get("Status", ""),
                    created=meta.get("CreateDate"),
                )
            )
    return keys


@aws_retry()
def update_access_key(iam: IAMClient, user_name: str, key_id: str, status: str) -> str:
    """Set one key Active or Inactive; returns the request id. Never deletes, never another key."""
    if status == "Inactive":
        response = iam.update_access_key(UserName=user_name, AccessKeyId=key_id, Status="Inactive")
    elif status == "Active":
        response = iam.update_access_key(UserName=user_name, AccessKeyId=key_id, Status="Active")
    else:
        raise ValueError(f"a key's status is Active or Inactive, not {status!r}")
    return request_id(dict(response))


@aws_retry()
def list_attached_user_policies(iam: IAMClient, user_name: str) -> list[AttachedPolicy]:
    """Managed policies attached to a user."""
    policies: list[AttachedPolicy] = []
    for page in iam.get_paginator("list_attached_user_policies").paginate(UserName=user_name):
        policies += [
            AttachedPolicy(p.get("PolicyName", ""), p.get("PolicyArn", ""))
            for p in page["AttachedPolicies"]
        ]
    return policies


@aws_retry()
def list_user_policies(iam: IAMClient, user_name: str) -> list[str]:
    """Names of a user's inline policies."""
    names: list[str] = []
    for page in iam.get_paginator("list_user_policies").paginate(UserName=user_name):
        names += page["PolicyNames"]
    return names


@aws_retry()
def get_user_policy(iam: IAMClient, user_name: str, name: str) -> dict[str, Any] | None:
    """An inline policy's document, or None when the user has no policy of that name."""
    try:
        response = iam.get_user_policy(UserName=user_name, PolicyName=name)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    return decode_document(response["PolicyDocument"])


@aws_retry()
def put_user_policy(iam: IAMClient, user_name: str, name: str, document: str) -> str:
    """Create or replace an inline user policy; returns the request id."""
    response = iam.put_user_policy(UserName=user_name, PolicyName=name, PolicyDocument=document)
    return request_id(dict(response))


@aws_retry()
def delete_user_policy(iam: IAMClient, user_name: str, name: str) -> str:
    """Remove an inline user policy; returns the request id."""
    response = iam.delete_user_policy(UserName=user_name, PolicyName=name)
    return request_id(dict(response))


@aws_retry()
def get_role(iam: IAMClient, role_name: str) -> dict[str, Any] | None:
    """A role's description, or None when it does not exist."""
    try:
        return dict(iam.get_role(RoleName=role_name)["Role"])
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


@aws_retry()
def list_attached_role_policies(iam: IAMClient, role_name: str) -> list[AttachedPolicy]:
    """Managed policies attached to a role."""
    policies: list[AttachedPolicy] = []
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        policies += [
            AttachedPolicy(p.get("PolicyName", ""), p.get("PolicyArn", ""))
            for p in page["AttachedPolicies"]
        ]
    return policies


@aws_retry()
def list_role_policies(iam: IAMClient, role_name: str) -> list[str]:
    """Names of a role's inline policies."""
    names: list[str] = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        names += page["PolicyNames"]
    return names


@aws_retry()
def get_role_policy(iam: IAMClient, role_name: str, name: str) -> dict[str, Any] | None:
    """An inline role policy's document, or None when the role has no policy of that name."""
    try:
        response = iam.get_role_policy(RoleName=role_name, PolicyName=name)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    return decode_document(response["PolicyDocument"])


@aws_retry()
def put_role_policy(iam: IAMClient, role_name: str, name: str, document: str) -> str:
    """Create or replace an inline role policy; returns the request id."""
    response = iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=document)
    return request_id(dict(response))


@aws_retry()
def delete_role_policy(iam: IAMClient, role_name: str, name: str) -> str:
    """Remove an inline role policy; returns the request id."""
    response = iam.delete_role_policy(RoleName=role_name, PolicyName=name)
    return request_id(dict(response))


def decode_document(value: object) -> dict[str, Any]:
    """boto3 decodes policy documents to dicts; a string (URL-encoded JSON) is parsed here."""
    if isinstance(value, str):
        parsed: dict[str, Any] = json.loads(unquote(value))
        return parsed
    return dict(value) if isinstance(value, dict) else {}


@aws_retry()
def delete_login_profile(iam: IAMClient, user_name: str) -> str:
    """Remove the user's console password (absent is fine: "" then); returns the request id.

    IAM keeps no copy of a password, so this cannot be put back: only a new one can be set.
    """
    try:
        response = iam.delete_login_profile(UserName=user_name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == NOT_FOUND:
            return ""
        raise
    return request_id(dict(response))


@aws_retry()
def list_user_tags(iam: IAMClient, user_name: str) -> dict[str, str]:
    """A user's tags by key (IAM keys are case-sensitive; at most 50, paginated all the same)."""
    tags: dict[str, str] = {}
    for page in iam.get_paginator("list_user_tags").paginate(UserName=user_name):
        tags.update({tag["Key"]: tag["Value"] for tag in page["Tags"]})
    return tags


# --- reading back what an attacker left behind ---------------------------------------------

GONE = "deleted"


def access_key_status(iam: IAMClient, user_name: str, key_id: str) -> str:
    """'Active' or 'Inactive' as IAM says now; GONE when the key or its user no longer exists."""
    try:
        keys = list_access_keys(iam, user_name)
    except ClientError as error:
        if is_not_found(error):
            return GONE
        raise
    return next((key.status for key in keys if key.key_id == key_id), GONE)


@aws_retry()
def user_exists(iam: IAMClient, user_name: str) -> bool:
    try:
        iam.get_user(UserName=user_name)
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return True


def role_trust(iam: IAMClient, role_name: str) -> dict[str, Any] | None:
    """A role's trust policy as it is now, or None when the role does not exist."""
    role = get_role(iam, role_name)
    return decode_document(role.get("AssumeRolePolicyDocument")) if role is not None else None


def attached_policy_arns(iam: IAMClient, kind: str, name: str) -> set[str]:
    """The managed policies attached now to a user or a role; empty when it is gone."""
    try:
        if kind == "role":
            return {p.arn for p in list_attached_role_policies(iam, name)}
        return {p.arn for p in list_attached_user_policies(iam, name)}
    except ClientError as error:
        if is_not_found(error):
            return set()
        raise


def inline_policy(iam: IAMClient, kind: str, name: str, policy: str) -> dict[str, Any] | None:
    """An inline policy of a user or a role, or None when it (or its principal) is gone."""
    try:
        if kind == "role":
            return get_role_policy(iam, name, policy)
        return get_user_policy(iam, name, policy)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise


# --- containing what an attacker left behind -----------------------------------------------


@aws_retry()
def detach_policy(iam: IAMClient, kind: str, name: str, policy_arn: str) -> str:
    """Detach a managed policy from a user or a role; returns the request id."""
    if kind == "role":
        response = iam.detach_role_policy(RoleName=name, PolicyArn=policy_arn)
    else:
        response = iam.detach_user_policy(UserName=name, PolicyArn=policy_arn)
    return request_id(dict(response))


@aws_retry()
def attach_policy(iam: IAMClient, kind: str, name: str, policy_arn: str) -> str:
    """Attach a managed policy to a user or a role (the undo of a detach)."""
    if kind == "role":
        response = iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    else:
        response = iam.attach_user_policy(UserName=name, PolicyArn=policy_arn)
    return request_id(dict(response))


@aws_retry()
def update_trust(iam: IAMClient, role_name: str, document: str) -> str:
    """Replace a role's trust policy; returns the request id."""
    response = iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=document)
    return request_id(dict(response))
