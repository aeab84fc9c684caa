"""What AWS says about one access key now: owner, state, and the policies around it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws import iam as iam_api
from bot.aws.sessions import unreachable
from bot.aws.sts import get_access_key_info
from bot.domain.keys import key_kind, parse_key_id
from bot.domain.policies import ADMIN, DENY_ALL, QUARANTINE, REVOKE_SESSIONS
from bot.errors import KeycheckError
from bot.models import KeyKind, KeyReport, utcnow

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

    from bot.aws.sessions import Sessions

# The longest a temporary key lives: GetSessionToken and GetFederationToken allow 36 hours.
SESSION_LOOKBACK = timedelta(hours=36)
# CloudTrail records calls to STS's global endpoint (and IAM's) in us-east-1.
GLOBAL_STS_REGION = "us-east-1"
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class SessionOrigin(Protocol):
    """The event that minted a temporary key, as the CloudTrail lookup reports it."""

    @property
    def role_arn(self) -> str: ...
    @property
    def session_name(self) -> str: ...
    @property
    def minted_by_key(self) -> str: ...
    @property
    def minted_at(self) -> datetime | None: ...


OriginFinder = Callable[[str, str], SessionOrigin | None]
"""(account id, ASIA key id) → the session's origin, or None when CloudTrail has no trace."""


def cloudtrail_origin_finder(sessions: Sessions) -> OriginFinder:
    """The default finder: CloudTrail in the key's account, over the longest session life.

    A key's events are recorded in the region it was used in; the bot's region is asked
    first, then us-east-1, where calls to the global STS endpoint land.
    """

    def find(account_id: str, key_id: str) -> SessionOrigin | None:
        cloudtrail = importlib.import_module("bot.aws.cloudtrail")
        end = utcnow()
        for region in dict.fromkeys((sessions.region, GLOBAL_STS_REGION)):
            origin: SessionOrigin | None = cloudtrail.find_session_origin(
                sessions.client("cloudtrail", account_id, region),
                key_id,
                start=end - SESSION_LOOKBACK,
                end=end,
            )
            if origin is not None:
                return origin
        return None

    return find


def build_key_report(
    sessions: Sessions, key_id: str, *, cloudtrail_origin: OriginFinder | None = None
) -> KeyReport:
    """Describe a key; anything AWS will not tell us becomes `error`, never an exception.

    Raises InvalidKeyId or SecretPasted for text that is not a key id: that is the
    caller's input to refuse, not a fact about AWS.
    """
    key_id = parse_key_id(key_id)
    report = KeyReport(access_key_id=key_id, kind=key_kind(key_id))
    try:
        report.account_id = get_access_key_info(sessions.own_client("sts"), key_id)
        iam = sessions.client("iam", report.account_id)
        if report.kind is KeyKind.LONG_TERM:
            owner = f"The user of access key {key_id}"
            sessions.require_acting_in(report.account_id, owner, report.account_id)
            _describe_user_key(iam, report)
        else:
            finder = cloudtrail_origin or cloudtrail_origin_finder(sessions)
            _describe_session(sessions, iam, report, finder)
    except KeycheckError as error:
        report.error = str(error)
    except ClientError as error:
        report.error = explain(error, report)
    except BotoCoreError as error:
        report.error = unreachable(error)
    return report


def explain(error: ClientError, report: KeyReport) -> str:
    """One sentence a responder can act on, from an AWS error."""
    code = error.response.get("Error", {}).get("Code", "")
    account = report.account_id or "its account"
    if code == iam_api.NOT_FOUND and error.operation_name == "GetAccessKeyLastUsed":
        return (
            f"Access key {report.access_key_id} does not exist in account {account}: "
            "it was deleted, or never created."
        )
    if code in ACCESS_DENIED and error.operation_name == "GetAccessKeyInfo":
        return "Access denied for GetAccessKeyInfo: keycheck's own role needs that permission."
    if code in ACCESS_DENIED:
        return (
            f"Access denied for {error.operation_name} in account {account}: "
            "the responder role there lacks that permission."
        )
    message = error.response.get("Error", {}).get("Message", "")
    return f"AWS answered {code or 'an error'} to {error.operation_name}: {message}".strip()


def _describe_user_key(iam: IAMClient, report: KeyReport) -> None:
    last = iam_api.get_access_key_last_used(iam, report.access_key_id)
    report.user_name = last.user_name
    report.last_used_at = last.used_at
    report.last_used_service = last.service
    report.last_used_region = last.region
    keys = iam_api.list_access_keys(iam, last.user_name)
    for key in keys:
        if key.key_id == report.access_key_id:
            report.status, report.created = key.status, key.created
    report.other_keys = [key.key_id for key in keys if key.key_id != report.access_key_id]
    _describe_user_policies(iam, report)


def _describe_session(
    sessions: Sessions, iam: IAMClient, report: KeyReport, finder: OriginFinder
) -> None:
    try:
        origin = finder(report.account_id, report.access_key_id)
    except ImportError:
        report.error = "Tracing a temporary key to its role needs the CloudTrail lookup module."
        return
    if origin is None:
        report.error = (
            f"No AssumeRole or GetSessionToken event in CloudTrail minted "
            f"{report.access_key_id} in the last {SESSION_LOOKBACK.total_seconds() / 3600:.0f} "
            "hours: the session cannot be traced to its role or user."
        )
        return
    report.session_name = origin.session_name
    report.created = origin.minted_at
    _require_principal_here(sessions, report, origin)
    role, user = role_name(origin.role_arn), user_name(origin.role_arn)
    if role:
        _describe_role(iam, report, origin.role_arn, role)
    elif user or origin.minted_by_key:
        # GetSessionToken and GetFederationToken sessions belong to the user who minted them.
        if not user:
            user = iam_api.get_access_key_last_used(iam, origin.minted_by_key).user_name
        report.user_name = user
        report.other_keys = [key.key_id for key in iam_api.list_access_keys(iam, user)]
        _describe_user_policies(iam, report)
    else:
        report.error = (
            f"CloudTrail shows {report.access_key_id}'s session but not the role or user behind it."
        )


def _require_principal_here(sessions: Sessions, report: KeyReport, origin: SessionOrigin) -> None:
    """The session's role or user is looked up by name: only in the account it is in."""
    owner = arn_account(origin.role_arn)
    principal = origin.role_arn
    if not owner and origin.minted_by_key:
        owner = get_access_key_info(sessions.own_client("sts"), origin.minted_by_key)
        principal = f"The user whose key {origin.minted_by_key} minted {report.access_key_id}"
    sessions.require_acting_in(report.account_id, principal, owner)


def _describe_role(iam: IAMClient, report: KeyReport, arn: str, name: str) -> None:
    report.role_arn = arn
    if iam_api.get_role(iam, name) is None:
        report.error = f"The role {name} that minted {report.access_key_id} no longer exists."
        return
    attached = iam_api.list_attached_role_policies(iam, name)
    _flag_policies(report, attached, iam_api.list_role_policies(iam, name))


def _describe_user_policies(iam: IAMClient, report: KeyReport) -> None:
    attached = iam_api.list_attached_user_policies(iam, report.user_name)
    inline = iam_api.list_user_policies(iam, report.user_name)
    _flag_policies(report, attached, inline)


def _flag_policies(
    report: KeyReport, attached: list[iam_api.AttachedPolicy], inline: list[str]
) -> None:
    """Flags go by AWS-managed ARN: a customer policy that borrows the name flags nothing."""
    report.attached_policies = [p.name for p in attached]
    report.inline_policies = inline
    managed = {p.name for p in attached if aws_managed(p.arn)}
    report.admin_attached = ADMIN in managed
    report.quarantine_attached = bool(managed & QUARANTINE)
    report.deny_all_attached = DENY_ALL in inline
    report.revoke_attached = REVOKE_SESSIONS in inline


def aws_managed(arn: str) -> bool:
    """True for AWS's own managed policies (arn:<partition>:iam::aws:policy/…)."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[4] == "aws" and parts[5].startswith("policy/")


def arn_account(arn: str) -> str:
    """The account id in an IAM or STS ARN; "" when the ARN names none."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


def user_name(arn: str) -> str:
    """The user's name from an IAM user ARN (any path); "" for anything else."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    return resource.rsplit("/", 1)[-1] if resource.startswith("user/") else ""


def role_name(arn: str) -> str:
    """The role's name from a role ARN (any path) or an assumed-role session ARN."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    if resource.startswith("role/"):
        return resource.rsplit("/", 1)[-1]
    if resource.startswith("assumed-role/"):
        return resource.split("/")[1]
    return ""


def state_summary(report: KeyReport) -> str:
    """The containment-relevant state in one line: what a responder checks after an action."""
    if report.error:
        return f"unknown ({report.error})"
    parts = [f"key {report.status}"] if report.status else []
    parts.append(f"{DENY_ALL} {'present' if report.deny_all_attached else 'absent'}")
    parts.append(f"{REVOKE_SESSIONS} {'present' if report.revoke_attached else 'absent'}")
    return ", ".join(parts)
