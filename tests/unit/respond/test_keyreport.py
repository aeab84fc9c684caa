"""The key report against moto: owner, state, policies and flags, and clear errors, never raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bot.aws.sessions import Sessions
from bot.domain.policies import deny_all, policy_json, revoke_sessions
from bot.errors import InvalidKeyId
from bot.models import KeyKind
from bot.respond.keyreport import build_key_report, state_summary
from bot.standins.aws import create_realistic_key
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.support.aws import fail_first, seed_leaked_user

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
SESSION_KEY = "ASIAQWERTYUIOPASDFGH"
MINTED = datetime(2026, 5, 21, 12, 0, tzinfo=UTC)
TRUST = '{"Version":"2012-10-17","Statement":[]}'


@dataclass(frozen=True)
class Origin:
    role_arn: str = ""
    session_name: str = ""
    account_id: str = ACCOUNT
    minted_by_key: str = ""
    minting_event_id: str = "ev-1"
    minted_at: datetime | None = MINTED


@pytest.fixture
def iam(aws: boto3.Session) -> Any:
    return aws.client("iam")


@pytest.fixture
def sessions(aws: boto3.Session) -> Sessions:
    return Sessions(aws)


def test_long_term_key_owner_status_and_other_keys(iam: Any, sessions: Sessions) -> None:
    user, key = seed_leaked_user(iam)
    other = create_realistic_key(iam, user["UserName"])
    report = build_key_report(sessions, key["AccessKeyId"])
    assert report.error == ""
    assert (report.kind, report.account_id) == (KeyKind.LONG_TERM, ACCOUNT)
    assert (report.user_name, report.status) == ("app-integration-user", "Active")
    assert report.created is not None
    assert report.last_used_at is None
    assert report.other_keys == [other["AccessKeyId"]]
    assert (report.admin_attached, report.quarantine_attached, report.deny_all_attached) == (
        False,
        False,
        False,
    )


def test_policies_are_listed_and_flagged(
    iam: Any, sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    user, key = seed_leaked_user(iam)
    name = user["UserName"]
    for policy in ("AdministratorAccess", "AWSCompromisedKeyQuarantineV3"):
        iam.attach_user_policy(UserName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    iam.put_user_policy(
        UserName=name, PolicyName="keycheck-deny-all", PolicyDocument=policy_json(deny_all())
    )
    revoke = policy_json(revoke_sessions(MINTED))
    iam.put_user_policy(UserName=name, PolicyName="keycheck-revoke-sessions", PolicyDocument=revoke)
    report = build_key_report(sessions, key["AccessKeyId"])
    assert sorted(report.attached_policies) == [
        "AWSCompromisedKeyQuarantineV3",
        "AdministratorAccess",
    ]
    assert sorted(report.inline_policies) == ["keycheck-deny-all", "keycheck-revoke-sessions"]
    assert report.admin_attached
    assert report.quarantine_attached
    assert report.deny_all_attached
    assert report.revoke_attached
    assert state_summary(report) == (
        "key Active, keycheck-deny-all present, keycheck-revoke-sessions present"
    )


def test_a_customer_policy_borrowing_an_aws_name_is_not_flagged(
    iam: Any, sessions: Sessions
) -> None:
    user, key = seed_leaked_user(iam)
    arn = iam.create_policy(
        PolicyName="AdministratorAccess", PolicyDocument=policy_json(deny_all())
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user["UserName"], PolicyArn=arn)
    report = build_key_report(sessions, key["AccessKeyId"])
    assert report.attached_policies == ["AdministratorAccess"]
    assert not report.admin_attached


def test_a_deleted_key_is_a_clear_error(iam: Any, sessions: Sessions) -> None:
    user, key = seed_leaked_user(iam)
    iam.delete_access_key(UserName=user["UserName"], AccessKeyId=key["AccessKeyId"])
    report = build_key_report(sessions, key["AccessKeyId"])
    assert "does not exist in account 123456789012" in report.error
    assert state_summary(report).startswith("unknown (")


def test_access_denied_is_a_clear_error(aws: boto3.Session, sessions: Sessions) -> None:
    _, key = seed_leaked_user(aws.client("iam"))
    fail_first(aws.events, "iam.GetAccessKeyLastUsed", "AccessDenied", times=9, status=403)
    report = build_key_report(sessions, key["AccessKeyId"])
    assert report.error == (
        "Access denied for GetAccessKeyLastUsed in account 123456789012: "
        "the responder role there lacks that permission."
    )


def test_an_unreachable_account_is_a_clear_error(aws: boto3.Session) -> None:
    _, key = seed_leaked_user(aws.client("iam"))
    fail_first(aws.events, "sts.AssumeRole", "AccessDenied", times=9, status=403)
    report = build_key_report(Sessions(aws, role_name="keycheck-responder"), key["AccessKeyId"])
    assert report.account_id == ACCOUNT
    assert "Cannot reach account 123456789012" in report.error


def test_a_key_in_another_account_is_read_through_the_responder_role(aws: boto3.Session) -> None:
    creds = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/setup", RoleSessionName="setup"
    )["Credentials"]
    other = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    _, key = seed_leaked_user(other.client("iam"), "billing-exporter")
    report = build_key_report(Sessions(aws, role_name="keycheck-responder"), key["AccessKeyId"])
    assert (report.account_id, report.user_name, report.error) == (
        OTHER_ACCOUNT,
        "billing-exporter",
        "",
    )


def test_a_role_session_is_traced_to_its_role(iam: Any, sessions: Sessions) -> None:
    role = iam.create_role(RoleName="ci-deploy", AssumeRolePolicyDocument=TRUST)["Role"]
    iam.put_role_policy(
        RoleName="ci-deploy", PolicyName="keycheck-deny-all", PolicyDocument=policy_json(deny_all())
    )
    asked: list[tuple[str, str]] = []

    def finder(account_id: str, key_id: str) -> Origin:
        asked.append((account_id, key_id))
        return Origin(role_arn=role["Arn"], session_name="gh-actions-42")

    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=finder)
    assert asked == [(ACCOUNT, SESSION_KEY)]
    assert report.kind is KeyKind.TEMPORARY
    assert (report.role_arn, report.session_name) == (role["Arn"], "gh-actions-42")
    assert report.created == MINTED
    assert report.inline_policies == ["keycheck-deny-all"]
    assert report.deny_all_attached
    assert report.error == ""


def test_a_session_token_is_traced_to_the_user_whose_key_minted_it(
    iam: Any, sessions: Sessions
) -> None:
    _, key = seed_leaked_user(iam)
    origin = Origin(minted_by_key=key["AccessKeyId"], session_name="")
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: origin)
    assert (report.user_name, report.role_arn) == ("app-integration-user", "")
    assert report.other_keys == [key["AccessKeyId"]]


def test_an_untraceable_session_is_a_clear_error(sessions: Sessions) -> None:
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: None)
    assert "cannot be traced to its role or user" in report.error


def test_a_vanished_role_is_a_clear_error(sessions: Sessions) -> None:
    origin = Origin(role_arn=f"arn:aws:iam::{ACCOUNT}:role/gone")
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: origin)
    assert report.error == f"The role gone that minted {SESSION_KEY} no longer exists."


def test_malformed_ids_are_refused_before_any_aws_call(sessions: Sessions) -> None:
    with pytest.raises(InvalidKeyId):
        build_key_report(sessions, "AKIA0123")


def assumed_role_records(now: datetime, minting_key: str) -> list[dict[str, Any]]:
    """An AssumeRole that minted SESSION_KEY, and a call made with it, as CloudTrail logs them."""
    created = now - timedelta(hours=1)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/ci-deploy"
    minting = {
        "eventVersion": "1.08",
        "eventID": "0f1e2d3c-0000-4000-8000-000000000001",
        "eventTime": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "recipientAccountId": ACCOUNT,
        "userIdentity": {
            "type": "IAMUser",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/app-integration-user",
            "accountId": ACCOUNT,
            "accessKeyId": minting_key,
            "userName": "app-integration-user",
        },
        "requestParameters": {"roleArn": role_arn, "roleSessionName": "gh-actions-42"},
        "responseElements": {"credentials": {"accessKeyId": SESSION_KEY}},
    }
    used = {
        "eventVersion": "1.08",
        "eventID": "0f1e2d3c-0000-4000-8000-000000000002",
        "eventTime": (created + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "sts.amazonaws.com",
        "eventName": "GetCallerIdentity",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "recipientAccountId": ACCOUNT,
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-deploy/gh-actions-42",
            "accountId": ACCOUNT,
            "accessKeyId": SESSION_KEY,
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": role_arn, "userName": "ci-deploy"},
                "attributes": {"creationDate": created.strftime("%Y-%m-%dT%H:%M:%SZ")},
            },
        },
    }
    return [minting, used]


def test_the_default_finder_traces_a_role_session_through_cloudtrail(
    iam: Any, sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    iam.create_role(RoleName="ci-deploy", AssumeRolePolicyDocument=TRUST)
    now = datetime.now(UTC)
    with CloudTrailStandIn(rate=100) as cloudtrail:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", cloudtrail.url)
        cloudtrail.add_records("us-east-1", assumed_role_records(now, "AKIAMINTINGKEY234567"))
        report = build_key_report(sessions, SESSION_KEY)
    assert report.error == ""
    assert report.role_arn == f"arn:aws:iam::{ACCOUNT}:role/ci-deploy"
    assert report.session_name == "gh-actions-42"
    assert report.created is not None
    assert abs(report.created - (now - timedelta(hours=1))) < timedelta(seconds=2)


def test_a_federated_session_belongs_to_its_user(iam: Any, sessions: Sessions) -> None:
    seed_leaked_user(iam)
    origin = Origin(role_arn=f"arn:aws:iam::{ACCOUNT}:user/app-integration-user")
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: origin)
    assert (report.user_name, report.role_arn, report.error) == ("app-integration-user", "", "")


def test_a_session_without_an_owner_is_a_clear_error(sessions: Sessions) -> None:
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: Origin())
    assert "but not the role or user behind it" in report.error


def test_our_own_missing_permission_is_named(aws: boto3.Session) -> None:
    fail_first(aws.events, "sts.GetAccessKeyInfo", "AccessDenied", times=9, status=403)
    report = build_key_report(Sessions(aws), "AKIAQWERTYUIOPASDFGH")
    assert report.error == (
        "Access denied for GetAccessKeyInfo: keycheck's own role needs that permission."
    )


def test_a_foreign_accounts_role_is_not_looked_up_in_ours(iam: Any, sessions: Sessions) -> None:
    iam.create_role(RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=TRUST)
    origin = Origin(role_arn="arn:aws:iam::666666666666:role/OrganizationAccountAccessRole")
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: origin)
    assert "is in account 666666666666" in report.error
    assert "needs its responder role in 666666666666" in report.error
    assert report.inline_policies == [] and report.role_arn == ""


def test_a_foreign_long_term_key_without_a_responder_role_is_refused(aws: boto3.Session) -> None:
    creds = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/setup", RoleSessionName="setup"
    )["Credentials"]
    other = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    _, key = seed_leaked_user(other.client("iam"), "billing-exporter")
    report = build_key_report(Sessions(aws), key["AccessKeyId"])
    assert f"needs its responder role in {OTHER_ACCOUNT}" in report.error


def test_a_session_token_minted_by_a_foreign_key_is_not_looked_up_in_ours(
    aws: boto3.Session, iam: Any, sessions: Sessions
) -> None:
    creds = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/setup", RoleSessionName="setup"
    )["Credentials"]
    other = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    _, theirs = seed_leaked_user(other.client("iam"))
    seed_leaked_user(iam)
    origin = Origin(minted_by_key=theirs["AccessKeyId"], session_name="")
    report = build_key_report(sessions, SESSION_KEY, cloudtrail_origin=lambda a, k: origin)
    assert f"is in account {OTHER_ACCOUNT}" in report.error
    assert report.user_name == "" and report.other_keys == []
