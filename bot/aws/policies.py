"""The policies in force for a principal (attached, inline, its groups'), and its other ways in.

What a leaked key may do is the union of these documents; a boundary or an SCP can only
narrow it, so reading these errs on the side of "it can do more", which is the side a
responder wants. Managed policies are read at their default version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bot.aws.iam import (
    AttachedPolicy,
    decode_document,
    get_role_policy,
    get_user_policy,
    is_not_found,
    list_attached_role_policies,
    list_attached_user_policies,
    list_role_policies,
    list_user_policies,
)
from bot.aws.retry import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient


@dataclass(frozen=True)
class NamedPolicy:
    """One policy document and where it comes from: `attached`, `inline` or `group <name>`."""

    source: str
    name: str
    document: dict[str, Any]


@aws_retry()
def managed_document(iam: IAMClient, arn: str) -> dict[str, Any]:
    """A managed policy's default version."""
    version = iam.get_policy(PolicyArn=arn)["Policy"].get("DefaultVersionId", "v1")
    found = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    return decode_document(found.get("Document", {}))


@aws_retry()
def groups_of(iam: IAMClient, user_name: str) -> list[str]:
    names: list[str] = []
    for page in iam.get_paginator("list_groups_for_user").paginate(UserName=user_name):
        names += [group["GroupName"] for group in page["Groups"]]
    return names


@aws_retry()
def group_inline_document(iam: IAMClient, group: str, name: str) -> dict[str, Any]:
    return decode_document(iam.get_group_policy(GroupName=group, PolicyName=name)["PolicyDocument"])


@aws_retry()
def group_policy_lists(iam: IAMClient, group: str) -> tuple[list[tuple[str, str]], list[str]]:
    """A group's attached (name, arn) pairs and its inline policy names."""
    attached: list[tuple[str, str]] = []
    for listed in iam.get_paginator("list_attached_group_policies").paginate(GroupName=group):
        attached += [(p["PolicyName"], p["PolicyArn"]) for p in listed["AttachedPolicies"]]
    inline: list[str] = []
    for names in iam.get_paginator("list_group_policies").paginate(GroupName=group):
        inline += names["PolicyNames"]
    return attached, inline


def _group_policies(iam: IAMClient, group: str) -> list[NamedPolicy]:
    attached, inline = group_policy_lists(iam, group)
    source = f"group {group}"
    found = [NamedPolicy(source, name, managed_document(iam, arn)) for name, arn in attached]
    found += [NamedPolicy(source, name, group_inline_document(iam, group, name)) for name in inline]
    return found


def _attached_and_inline(
    iam: IAMClient,
    attached: list[AttachedPolicy],
    inline: list[str],
    read_inline: Callable[[str], dict[str, Any] | None],
) -> list[NamedPolicy]:
    found = [NamedPolicy("attached", p.name, managed_document(iam, p.arn)) for p in attached]
    for name in inline:
        document = read_inline(name)
        if document is not None:
            found.append(NamedPolicy("inline", name, document))
    return found


def user_policies(iam: IAMClient, user_name: str) -> list[NamedPolicy]:
    """Every policy in force for an IAM user, its groups' included."""
    found = _attached_and_inline(
        iam,
        list_attached_user_policies(iam, user_name),
        list_user_policies(iam, user_name),
        lambda name: get_user_policy(iam, user_name, name),
    )
    for group in groups_of(iam, user_name):
        found += _group_policies(iam, group)
    return found


def role_policies(iam: IAMClient, role_name: str) -> list[NamedPolicy]:
    """Every policy in force for a role: what each of its sessions may do."""
    return _attached_and_inline(
        iam,
        list_attached_role_policies(iam, role_name),
        list_role_policies(iam, role_name),
        lambda name: get_role_policy(iam, role_name, name),
    )


@aws_retry()
def has_login_profile(iam: IAMClient, user_name: str) -> bool:
    """Whether the user has a console password: a way in that no access key controls."""
    try:
        iam.get_login_profile(UserName=user_name)
    except ClientError as error:
        if is_not_found(error):
            return False
        raise
    return True
