"""IAM functions against moto: one key changes, policies round-trip, throttling is retried."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bot.aws import iam as iam_api
from bot.domain.policies import deny_all, policy_json
from bot.standins.aws import create_realistic_key
from tests.support.aws import count_calls, fail_first, seed_leaked_user


@pytest.fixture
def iam(aws: boto3.Session) -> Any:
    return aws.client("iam")


def test_last_used_names_the_owner_of_a_key(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    last = iam_api.get_access_key_last_used(iam, key["AccessKeyId"])
    assert last.user_name == user["UserName"]
    assert last.used_at is None
    assert (last.service, last.region) == ("", "")


def test_last_used_of_an_unknown_key_is_not_found(iam: Any) -> None:
    with pytest.raises(ClientError) as raised:
        iam_api.get_access_key_last_used(iam, "AKIAQWERTYUIOPASDFGH")
    assert iam_api.is_not_found(raised.value)


def test_update_changes_only_the_key_asked_for(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    other = create_realistic_key(iam, user["UserName"])
    request_id = iam_api.update_access_key(iam, user["UserName"], key["AccessKeyId"], "Inactive")
    statuses = {k.key_id: k.status for k in iam_api.list_access_keys(iam, user["UserName"])}
    assert statuses == {key["AccessKeyId"]: "Inactive", other["AccessKeyId"]: "Active"}
    assert request_id


def test_user_inline_policy_round_trips_and_disappears(iam: Any) -> None:
    user, _ = seed_leaked_user(iam)
    name = user["UserName"]
    assert iam_api.get_user_policy(iam, name, "keycheck-deny-all") is None
    assert iam_api.put_user_policy(iam, name, "keycheck-deny-all", policy_json(deny_all()))
    assert iam_api.get_user_policy(iam, name, "keycheck-deny-all") == deny_all()
    assert iam_api.list_user_policies(iam, name) == ["keycheck-deny-all"]
    assert iam_api.delete_user_policy(iam, name, "keycheck-deny-all")
    assert iam_api.list_user_policies(iam, name) == []


def test_role_reads_and_inline_policies(iam: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    trust = '{"Version":"2012-10-17","Statement":[]}'
    iam.create_role(RoleName="ci-deploy", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(
        RoleName="ci-deploy", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    assert iam_api.get_role(iam, "ci-deploy") is not None
    assert iam_api.get_role(iam, "no-such-role") is None
    attached = iam_api.list_attached_role_policies(iam, "ci-deploy")
    assert [(p.name, p.arn) for p in attached] == [
        ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess")
    ]
    iam_api.put_role_policy(iam, "ci-deploy", "keycheck-deny-all", policy_json(deny_all()))
    assert iam_api.list_role_policies(iam, "ci-deploy") == ["keycheck-deny-all"]
    assert iam_api.get_role_policy(iam, "ci-deploy", "keycheck-deny-all") == deny_all()
    iam_api.delete_role_policy(iam, "ci-deploy", "keycheck-deny-all")
    assert iam_api.get_role_policy(iam, "ci-deploy", "keycheck-deny-all") is None


def test_throttled_update_is_retried_until_it_lands(aws: boto3.Session) -> None:
    calls = fail_first(aws.events, "iam.UpdateAccessKey", "Throttling", times=2)
    iam = aws.client("iam")
    user, key = seed_leaked_user(iam)
    iam_api.update_access_key(iam, user["UserName"], key["AccessKeyId"], "Inactive")
    assert len(calls) == 3
    assert iam_api.list_access_keys(iam, user["UserName"])[0].status == "Inactive"


def test_access_denied_is_not_retried(aws: boto3.Session) -> None:
    calls = fail_first(aws.events, "iam.UpdateAccessKey", "AccessDenied", times=5, status=403)
    iam = aws.client("iam")
    user, key = seed_leaked_user(iam)
    with pytest.raises(ClientError):
        iam_api.update_access_key(iam, user["UserName"], key["AccessKeyId"], "Inactive")
    assert len(calls) == 1
    assert iam_api.list_access_keys(iam, user["UserName"])[0].status == "Active"


def test_list_access_keys_reads_every_key_once(aws: boto3.Session) -> None:
    calls = count_calls(aws.events, "iam.ListAccessKeys")
    iam = aws.client("iam")
    user, key = seed_leaked_user(iam)
    keys = iam_api.list_access_keys(iam, user["UserName"])
    assert [k.key_id for k in keys] == [key["AccessKeyId"]]
    assert keys[0].created is not None
    assert len(calls) == 1


def test_a_status_other_than_active_or_inactive_is_refused(iam: Any) -> None:
    user, key = seed_leaked_user(iam)
    with pytest.raises(ValueError, match="Active or Inactive"):
        iam_api.update_access_key(iam, user["UserName"], key["AccessKeyId"], "")
    assert iam_api.list_access_keys(iam, user["UserName"])[0].status == "Active"
