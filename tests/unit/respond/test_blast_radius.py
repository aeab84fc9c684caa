"""How bad it could be: the principal's policies in force, read from moto and classified."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from bot.aws.policies import NamedPolicy
from bot.aws.sessions import Sessions
from bot.domain.policies import DENY_ALL, deny_all, policy_json
from bot.models import KeyKind, KeyReport
from bot.respond.blast_radius import BlastRadii, assess
from bot.respond.keyreport import build_key_report
from bot.slack.cards import blast_line, blast_section
from bot.standins.slack_blocks import block_errors
from tests.support.aws import seed_leaked_user

USER = "app-integration-user"
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_BUCKETS = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def iam(aws: boto3.Session) -> Any:
    return aws.client("iam")


@pytest.fixture
def report(iam: Any, aws: boto3.Session) -> KeyReport:
    _, key = seed_leaked_user(iam, USER)
    return build_key_report(Sessions(aws), key["AccessKeyId"])


def test_an_admin_group_makes_the_user_admin_equivalent(
    aws: boto3.Session, iam: Any, report: KeyReport
) -> None:
    iam.put_user_policy(UserName=USER, PolicyName="read", PolicyDocument=json.dumps(READ_BUCKETS))
    arn = iam.create_policy(PolicyName="ops-admin", PolicyDocument=json.dumps(ADMIN))["Policy"]
    iam.create_group(GroupName="ops")
    iam.attach_group_policy(GroupName="ops", PolicyArn=arn["Arn"])
    iam.add_user_to_group(GroupName="ops", UserName=USER)

    blast = BlastRadii(Sessions(aws)).compute(report)

    assert blast.error == ""
    assert blast.principal == f"123456789012/user/{USER}"
    assert blast.admin_equivalent
    assert "CreateAccessKey" in blast.privilege_escalation
    assert "s3:GetObject" in blast.data_exfiltration
    assert "iam:CreateAccessKey" in blast.credentials_exposure
    assert sorted(blast.policies) == ["group ops: ops-admin", "inline: read"]


def test_a_reader_of_buckets_can_exfiltrate_but_not_escalate(
    aws: boto3.Session, iam: Any, report: KeyReport
) -> None:
    iam.put_user_policy(UserName=USER, PolicyName="read", PolicyDocument=json.dumps(READ_BUCKETS))

    blast = BlastRadii(Sessions(aws)).compute(report)

    assert not blast.admin_equivalent and blast.privilege_escalation == []
    assert blast.data_exfiltration == ["s3:GetObject"]
    assert "data exfiltration" in blast_line(blast) and "s3:GetObject" in blast_line(blast)


def test_deny_all_in_place_leaves_nothing_it_can_do(
    aws: boto3.Session, iam: Any, report: KeyReport
) -> None:
    iam.put_user_policy(UserName=USER, PolicyName="admin", PolicyDocument=json.dumps(ADMIN))
    iam.put_user_policy(UserName=USER, PolicyName=DENY_ALL, PolicyDocument=policy_json(deny_all()))

    blast = BlastRadii(Sessions(aws)).compute(report)

    assert not blast.risky and blast.infrastructure_modification == []
    assert blast_line(blast) == "✅ nothing risky in its policies"


def test_one_read_per_principal_until_it_is_forgotten(
    aws: boto3.Session, iam: Any, report: KeyReport
) -> None:
    clock = Clock()
    radii = BlastRadii(Sessions(aws), ttl=60, clock=clock)
    assert radii.cached(report) is None
    first = radii.compute(report)
    assert radii.cached(report) == first
    clock.now += 61
    assert radii.cached(report) is None
    radii.compute(report)
    radii.forget(report)
    assert radii.cached(report) is None


def test_an_unknown_owner_or_an_unreadable_account_is_said_not_raised(aws: boto3.Session) -> None:
    unknown = KeyReport(access_key_id="AKIAQWERTYUIOPASDFGH", kind=KeyKind.LONG_TERM)
    assert "unknown" in BlastRadii(Sessions(aws)).compute(unknown).error
    elsewhere = KeyReport(
        access_key_id="AKIAQWERTYUIOPASDFGH",
        kind=KeyKind.LONG_TERM,
        account_id="123456789012",
        user_name="nobody-here",
    )
    blast = BlastRadii(Sessions(aws)).compute(elsewhere)
    assert blast.error.startswith("NoSuchEntity")
    assert blast_line(blast).startswith("⚠️ not assessed: NoSuchEntity")


def test_a_policy_that_names_a_lone_statement_is_read_too() -> None:
    blast = assess("p", [NamedPolicy("inline", "read", READ_BUCKETS)])
    assert blast.data_exfiltration == ["s3:GetObject"]


def test_the_blast_radius_on_a_card_stays_within_slack_limits() -> None:
    many = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            *(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
                for i in range(40)
            ),
        ],
    }
    blast = assess("p", [NamedPolicy("inline", f"policy-{i}", many) for i in range(12)])
    blocks = blast_section(blast)
    assert block_errors(blocks) == []
    text = json.dumps(blocks, ensure_ascii=False)
    assert "admin-equivalent" in text and "and 4 more" in text


def test_denying_one_service_still_leaves_an_administrator() -> None:
    deny_ec2 = {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}
    both = {"Version": "2012-10-17", "Statement": [ADMIN["Statement"][0], deny_ec2]}
    blast = assess("p", [NamedPolicy("inline", "admin", both)])
    assert blast.admin_equivalent
    assert not any(action.startswith("ec2:") for action in blast.infrastructure_modification)
