"""Containment steps: the plan says exactly what changes, and IAM ends up exactly so."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bot.domain.policies import DENY_ALL, deny_all, policy_json
from bot.errors import UnknownAction
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    ContainmentStep,
    KeyKind,
    KeyReport,
)
from bot.respond.containment import CannotContain, apply, plan, read_back, undo_step
from bot.standins.aws import create_realistic_key
from tests.support.aws import fail_first, seed_leaked_user

A = ActionKind
NOW = datetime(2026, 5, 21, 12, 30, 5, 123456, tzinfo=UTC)
ACCOUNT = "123456789012"
KEY = "AKIAQWERTYUIOPASDFGH"
SESSION_KEY = "ASIAQWERTYUIOPASDFGH"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service/ci-deploy"
TRUST = '{"Version":"2012-10-17","Statement":[]}'
EXISTING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
}


def user_report(key: str = KEY, user: str = "app-integration-user") -> KeyReport:
    return KeyReport(access_key_id=key, kind=KeyKind.LONG_TERM, account_id=ACCOUNT, user_name=user)


def role_report() -> KeyReport:
    return KeyReport(
        access_key_id=SESSION_KEY,
        kind=KeyKind.TEMPORARY,
        account_id=ACCOUNT,
        role_arn=ROLE_ARN,
        session_name="gh-actions-42",
    )


def record_of(step: ContainmentStep, before: dict[str, Any], after: dict[str, Any]) -> ActionRecord:
    return ActionRecord(
        id="act-1",
        idempotency_key="k",
        action=step.action,
        actor="U1",
        target=step.key_id,
        account_id=step.account_id,
        before=before,
        after=after,
    )


def test_contain_all_for_a_user_key_is_three_steps_in_order() -> None:
    steps = plan(A.CONTAIN_ALL, user_report(), NOW)
    assert [s.action for s in steps] == [A.DEACTIVATE_KEY, A.ATTACH_DENY_ALL, A.REVOKE_SESSIONS]
    assert {(s.account_id, s.key_id, s.principal) for s in steps} == {
        (ACCOUNT, KEY, "user/app-integration-user")
    }
    assert steps[0].key_status == "Inactive"
    assert steps[1].policy_name == "keycheck-deny-all"
    assert steps[1].policy_document == deny_all()
    assert steps[2].policy_name == "keycheck-revoke-sessions"
    assert steps[2].policy_document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeycheckRevokeOlderSessions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-05-21T12:30:05Z"}},
            }
        ],
    }


def test_summaries_name_key_principal_and_account() -> None:
    deactivate, deny, revoke = plan(A.CONTAIN_ALL, user_report(), NOW)
    assert deactivate.summary == (
        f"Set access key `{KEY}` of IAM user `app-integration-user` in account {ACCOUNT} to "
        "Inactive. It is not deleted, and the user's other keys are not touched."
    )
    assert "(Deny * on *)" in deny.summary
    assert "issued before 2026-05-21T12:30:05Z" in revoke.summary


def test_contain_all_for_a_role_session_revokes_then_denies_on_the_role() -> None:
    steps = plan(A.CONTAIN_ALL, role_report(), NOW)
    assert [s.action for s in steps] == [A.REVOKE_SESSIONS, A.ATTACH_DENY_ALL]
    assert {s.principal for s in steps} == {"role/ci-deploy"}
    assert "every session of the role" in steps[0].summary


def test_a_temporary_key_cannot_be_deactivated() -> None:
    with pytest.raises(CannotContain, match="Revoke sessions on role ci-deploy instead"):
        plan(A.DEACTIVATE_KEY, role_report(), NOW)


def test_nothing_is_planned_on_a_report_with_an_error_or_no_owner() -> None:
    failed = user_report().model_copy(update={"error": "Access denied for X"})
    with pytest.raises(CannotContain, match="Access denied for X"):
        plan(A.DEACTIVATE_KEY, failed, NOW)
    with pytest.raises(CannotContain, match="owner of"):
        plan(A.ATTACH_DENY_ALL, user_report(user=""), NOW)
    with pytest.raises(UnknownAction):
        plan(A.TIMELINE, user_report(), NOW)


@pytest.fixture
def iam(aws: boto3.Session) -> Any:
    return aws.client("iam")


def test_deactivate_changes_that_one_key_and_reads_it_back(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    other = create_realistic_key(iam, user["UserName"])
    [step] = plan(A.DEACTIVATE_KEY, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam)
    assert result.before["status"] == "Active"
    assert result.after["status"] == "Inactive"
    assert result.request_id
    statuses = {
        k["AccessKeyId"]: k["Status"]
        for k in iam.list_access_keys(UserName=user["UserName"])["AccessKeyMetadata"]
    }
    assert statuses == {key["AccessKeyId"]: "Inactive", other["AccessKeyId"]: "Active"}


def test_the_planned_policy_text_is_what_lands_in_iam(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    for step in plan(A.CONTAIN_ALL, user_report(key["AccessKeyId"]), NOW)[1:]:
        result = apply(step, iam)
        landed = iam.get_user_policy(UserName=user["UserName"], PolicyName=step.policy_name)
        assert landed["PolicyDocument"] == step.policy_document
        assert result.before["document"] is None
        assert result.after["document"] == step.policy_document


def test_role_steps_land_on_the_role(iam: Any) -> None:
    iam.create_role(RoleName="ci-deploy", Path="/service/", AssumeRolePolicyDocument=TRUST)
    for step in plan(A.CONTAIN_ALL, role_report(), NOW):
        apply(step, iam)
        landed = iam.get_role_policy(RoleName="ci-deploy", PolicyName=step.policy_name)
        assert landed["PolicyDocument"] == step.policy_document


def test_undo_restores_a_policy_of_our_name_that_was_there_before(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    name = user["UserName"]
    iam.put_user_policy(
        UserName=name, PolicyName="keycheck-deny-all", PolicyDocument=policy_json(EXISTING)
    )
    [step] = plan(A.ATTACH_DENY_ALL, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam)
    assert result.before["document"] == EXISTING
    restore = undo_step(record_of(step, result.before, result.after))
    assert restore is not None
    assert restore.action is A.REMOVE_DENY_ALL
    assert restore.summary.startswith("Restore the earlier inline policy `keycheck-deny-all`")
    apply(restore, iam)
    landed = iam.get_user_policy(UserName=name, PolicyName="keycheck-deny-all")
    assert landed["PolicyDocument"] == EXISTING


def test_undo_removes_a_policy_that_was_not_there_before(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    [step] = plan(A.REVOKE_SESSIONS, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam)
    remove = undo_step(record_of(step, result.before, result.after))
    assert remove is not None
    assert remove.policy_document is None
    apply(remove, iam)
    assert iam.list_user_policies(UserName=user["UserName"])["PolicyNames"] == []


def test_a_key_that_was_inactive_before_is_not_reactivated_by_undo(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    iam.update_access_key(
        UserName=user["UserName"], AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )
    [step] = plan(A.DEACTIVATE_KEY, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam)
    assert (result.before["status"], result.after["status"]) == ("Inactive", "Inactive")
    assert undo_step(record_of(step, result.before, result.after)) is None


def test_removing_an_absent_policy_writes_nothing(aws: boto3.Session, iam: Any) -> None:
    seed_leaked_user(iam)
    [step] = plan(A.REMOVE_DENY_ALL, user_report(), NOW)
    result = apply(step, iam)
    assert result.request_id == ""
    assert result.before["document"] is None
    assert result.after["document"] is None


def test_read_back_waits_out_iam_eventual_consistency(aws: boto3.Session) -> None:
    fail_first(aws.events, "iam.GetUserPolicy", "NoSuchEntity", times=2, status=404)
    iam = aws.client("iam")
    _, key = seed_leaked_user(iam)
    slept: list[float] = []
    [step] = plan(A.ATTACH_DENY_ALL, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam, sleep=slept.append)
    assert slept == [0.5]
    assert result.after["document"] == deny_all()


def test_an_undo_of_an_unknown_shape_is_refused() -> None:
    record = ActionRecord(id="act-2", idempotency_key="k", action=A.TIMELINE, actor="U1")
    with pytest.raises(CannotContain):
        undo_step(record)


def test_undoing_a_removal_restores_what_was_there_and_says_so(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    name = user["UserName"]
    iam.put_user_policy(
        UserName=name, PolicyName="keycheck-revoke-sessions", PolicyDocument=policy_json(EXISTING)
    )
    [step] = plan(A.REMOVE_REVOKE, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam)
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == []
    restore = undo_step(record_of(step, result.before, result.after))
    assert restore is not None
    assert restore.action is A.REVOKE_SESSIONS
    assert restore.summary.startswith(
        "Restore the earlier inline policy `keycheck-revoke-sessions`"
    )
    apply(restore, iam)
    landed = iam.get_user_policy(UserName=name, PolicyName="keycheck-revoke-sessions")
    assert landed["PolicyDocument"] == EXISTING


def test_undo_removes_our_own_policy_left_by_a_run_whose_result_was_lost(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    name = user["UserName"]
    iam.put_user_policy(UserName=name, PolicyName=DENY_ALL, PolicyDocument=policy_json(deny_all()))
    [step] = plan(A.ATTACH_DENY_ALL, user_report(key["AccessKeyId"]), NOW)
    result = apply(step, iam)
    remove = undo_step(record_of(step, result.before, result.after))
    assert remove is not None
    assert remove.policy_document is None
    apply(remove, iam)
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == []


def test_read_back_applies_only_what_iam_confirmed() -> None:
    report = KeyReport(
        access_key_id="AKIAQWERTYUIOPASDFGH",
        kind=KeyKind.LONG_TERM,
        status="Active",
        inline_policies=["ses-send-only", "keycheck-revoke-sessions"],
        revoke_attached=True,
    )
    done = ActionRecord(
        id="act-1",
        idempotency_key="k1",
        action=ActionKind.DEACTIVATE_KEY,
        actor="U0ALICE",
        state=ActionState.DONE,
        after={"status": "Inactive"},
    )
    denied = done.model_copy(
        update={
            "id": "act-2",
            "action": ActionKind.ATTACH_DENY_ALL,
            "after": {"policy_name": "keycheck-deny-all", "document": {"Statement": []}},
        }
    )
    removed = done.model_copy(
        update={
            "id": "act-3",
            "action": ActionKind.REMOVE_REVOKE,
            "after": {"policy_name": "keycheck-revoke-sessions", "document": None},
        }
    )
    failed = done.model_copy(update={"id": "act-4", "state": ActionState.FAILED, "after": {}})

    after = read_back(report, [done, denied, removed, failed])

    assert after.status == "Inactive"
    assert after.inline_policies == ["ses-send-only", "keycheck-deny-all"]
    assert after.deny_all_attached and not after.revoke_attached
    assert read_back(report, [failed]) == report
