"""Containing what the attacker left behind, against moto: once, recorded, and undone exactly."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.analysis.footprint import FootprintItem, footprint
from bot.analysis.records import event_from_record
from bot.aws.sessions import Sessions
from bot.domain.policies import DENY_ALL
from bot.models import ActionKind, ActionState, OutcomeStatus
from bot.respond.containment import footprint_plan
from bot.respond.responder import Responder
from bot.store import SqliteStore
from tests.unit.analysis.support import ACCOUNT, KEY, T0, create_access_key, record

OUTSIDER = "arn:aws:iam::999988887777:root"
EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
SERVICE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
WIDENED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com", "AWS": OUTSIDER},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = f"arn:aws:iam::{ACCOUNT}:policy/everything"


def _calls(key: str) -> list[dict[str, Any]]:
    minute = timedelta(minutes=1)
    return [
        record("CreateUser", when=T0, requestParameters={"userName": "backdoor"}),
        create_access_key(key, "backdoor", when=T0 + minute),
        record(
            "AttachUserPolicy",
            when=T0 + 2 * minute,
            requestParameters={"userName": "backdoor", "policyArn": POLICY},
        ),
        record(
            "PutRolePolicy",
            when=T0 + 3 * minute,
            requestParameters={"roleName": "app", "policyName": "extra"},
        ),
        record(
            "UpdateAssumeRolePolicy",
            when=T0 + 4 * minute,
            requestParameters={"roleName": "app", "policyDocument": json.dumps(WIDENED)},
        ),
        record(
            "CreateLoginProfile", when=T0 + 5 * minute, requestParameters={"userName": "backdoor"}
        ),
    ]


@pytest.fixture
def iam(aws: boto3.Session) -> Any:
    return aws.client("iam")


@pytest.fixture
def items(iam: Any) -> list[FootprintItem]:
    """The attack as IAM holds it, and its footprint as the timeline lists it."""
    iam.create_user(UserName="backdoor")
    key = iam.create_access_key(UserName="backdoor")["AccessKey"]["AccessKeyId"]
    iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(EVERYTHING))
    iam.attach_user_policy(UserName="backdoor", PolicyArn=POLICY)
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(WIDENED))
    iam.put_role_policy(RoleName="app", PolicyName="extra", PolicyDocument=json.dumps(EVERYTHING))
    return footprint([event_from_record(r) for r in _calls(key)])


@pytest.fixture
def responder(tmp_path: Path) -> Responder:
    return Responder(SqliteStore(tmp_path / "keycheck.sqlite3"), Sessions(region="us-east-1"))


def _state(iam: Any, key: str) -> dict[str, Any]:
    keys = iam.list_access_keys(UserName="backdoor")["AccessKeyMetadata"]
    attached = iam.list_attached_user_policies(UserName="backdoor")["AttachedPolicies"]
    trust = iam.get_role(RoleName="app")["Role"]["AssumeRolePolicyDocument"]
    return {
        "key": next(k["Status"] for k in keys if k["AccessKeyId"] == key),
        "user policies": iam.list_user_policies(UserName="backdoor")["PolicyNames"],
        "attached": [p["PolicyArn"] for p in attached],
        "role policies": iam.list_role_policies(RoleName="app")["PolicyNames"],
        "trust": trust,
    }


def test_the_plan_lists_every_change_and_what_it_leaves_to_a_person(
    items: list[FootprintItem],
) -> None:
    steps, left = footprint_plan(items)
    assert [s.action for s in steps] == [
        ActionKind.ATTACH_DENY_ALL,
        ActionKind.DEACTIVATE_KEY,
        ActionKind.DETACH_POLICY,
        ActionKind.REMOVE_INLINE_POLICY,
        ActionKind.REMOVE_TRUST,
    ]
    assert all(step.summary for step in steps)
    assert f"Remove `{OUTSIDER}` from the trust policy" in steps[-1].summary
    assert left == ["console password of user backdoor: nothing here contains it"]


def test_contain_everything_once_then_undo_puts_each_back(
    iam: Any, items: list[FootprintItem], responder: Responder
) -> None:
    key = next(i.detail for i in items if i.kind == "access-key")
    before = _state(iam, key)
    ask = {"actor": "U1", "reason": "backdoor", "incident_id": "inc-1"}
    outcome = responder.contain_footprint(KEY, items, ACCOUNT, **ask)
    assert outcome.status is OutcomeStatus.DONE, outcome.message
    assert [s.state for s in outcome.steps] == [ActionState.DONE] * 5
    contained = _state(iam, key)
    assert contained["key"] == "Inactive"
    assert contained["user policies"] == [DENY_ALL]
    assert contained["attached"] == []
    assert contained["role policies"] == []
    assert contained["trust"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}

    again = responder.contain_footprint(KEY, items, ACCOUNT, **ask)
    assert again.status is OutcomeStatus.ALREADY

    undone = responder.undo(outcome.record.id, actor="U1", reason="false alarm")
    assert undone.status is OutcomeStatus.DONE, undone.message
    assert _state(iam, key) == before
