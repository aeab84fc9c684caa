"""Clean-up, read-back and a deploy's own roles: what removes rights or handles its own things
is not the attack. Each workflow must raise no high or critical finding."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.tagging import AnalysisConfig, event_tags
from bot.models import RuleId, Severity
from tests.unit.analysis.support import REPO, T0, event

BENIGN = REPO / "tests" / "fixtures" / "benign"
WORKFLOWS = ("admin-cleanup", "iac-read-back", "deploy-own-roles")
TRUST_ADMITTING_AN_ACCOUNT = json.dumps(
    {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "sts:AssumeRole",
            }
        ]
    }
)


def _records(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((BENIGN / f"{name}.json").read_text())["Records"]
    return records


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_a_benign_workflow_raises_no_high_or_critical_finding(workflow: str) -> None:
    result = analyze(map(event_from_record, _records(workflow)), AnalysisConfig())
    urgent = [f for f in result.findings if f.severity in (Severity.HIGH, Severity.CRITICAL)]
    assert urgent == []
    assert len(result.events) == len(_records(workflow))


def test_removing_keychecks_own_deny_is_still_escalation() -> None:
    undone = event("DeleteUserPolicy", requestParameters={"policyName": "keycheck-deny-all"})
    other = event("DeleteUserPolicy", requestParameters={"policyName": "s3-full"})
    assert RuleId.PRIVESC_POLICY in event_tags(undone, AnalysisConfig())
    assert event_tags(other, AnalysisConfig()) == []


def test_a_trust_widened_to_another_account_is_a_backdoor_and_one_narrowed_is_not() -> None:
    widened = event(
        "UpdateAssumeRolePolicy",
        requestParameters={"roleName": "app", "policyDocument": TRUST_ADMITTING_AN_ACCOUNT},
    )
    assert RuleId.PERSISTENCE_ROLE_TRUST in event_tags(widened, AnalysisConfig())
    cleanup = {e["eventName"]: e for e in _records("admin-cleanup")}
    narrowed = event_from_record(cleanup["UpdateAssumeRolePolicy"])
    assert event_tags(narrowed, AnalysisConfig()) == []


def test_reading_a_secret_someone_else_wrote_is_still_credential_access() -> None:
    records = _records("iac-read-back")
    other_key = {
        **records[2],
        "userIdentity": {**records[2]["userIdentity"], "accessKeyId": "ASIAOTHERKEY23456789"},
    }
    result = analyze(map(event_from_record, [*records, other_key]), AnalysisConfig())
    stolen = next(e for e in result.events if e.access_key_id == "ASIAOTHERKEY23456789")
    assert RuleId.CREDENTIAL_ACCESS_SECRETS in stolen.tags


def test_a_policy_granted_to_a_role_anyone_can_assume_stays_escalation() -> None:
    created = event(
        "CreateRole",
        requestParameters={
            "roleName": "door",
            "assumeRolePolicyDocument": TRUST_ADMITTING_AN_ACCOUNT,
        },
    )
    granted = event(
        "AttachRolePolicy",
        requestParameters={
            "roleName": "door",
            "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
        when=T0 + timedelta(seconds=5),
    )
    result = analyze([created, granted], AnalysisConfig())
    assert [e.event_name for e in result.events] == ["CreateRole", "AttachRolePolicy"]
    assert RuleId.PRIVESC_POLICY in result.events[-1].tags
