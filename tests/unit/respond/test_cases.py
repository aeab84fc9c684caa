"""Support cases: the text says what happened, the case lands in moto, a missing plan is plain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bot.aws.sessions import Sessions
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Alert,
    AlertKind,
    CaseStatus,
    Incident,
    KeyKind,
    KeyReport,
    Severity,
)
from bot.respond.cases import (
    case_severity,
    case_text,
    existing_case_id,
    open_case,
    security_category,
)
from tests.support.aws import answer, count_calls, fail_first

T0 = datetime(2026, 5, 21, 12, 11, tzinfo=UTC)
KEY = "AKIAQWERTYUIOPASDFGH"
ACCOUNT = "123456789012"


def incident(**kw: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": "inc-20260521-abc123",
        "account_id": ACCOUNT,
        "subject": KEY,
        "title": "Access key exposed on GitHub",
        "severity": Severity.CRITICAL,
        "access_key_id": KEY,
        "alert_count": 2,
        "first_seen": T0,
        "last_seen": T0,
    }
    return Incident.model_validate(fields | kw)


def alert(**kw: Any) -> Alert:
    fields: dict[str, Any] = {
        "dedup_key": "a1",
        "kind": AlertKind.CLOUDTRAIL_API_CALL,
        "title": "GetCallerIdentity from an unknown network",
        "occurred_at": T0,
        "source_ip": "198.51.100.7",
        "region": "eu-north-1",
    }
    return Alert.model_validate(fields | kw)


REPORT = KeyReport(
    access_key_id=KEY,
    kind=KeyKind.LONG_TERM,
    account_id=ACCOUNT,
    user_name="app-integration-user",
    status="Inactive",
)
ACTION = ActionRecord(
    id="act-1",
    idempotency_key="k",
    action=ActionKind.DEACTIVATE_KEY,
    actor="U0ALICE",
    target=KEY,
    state=ActionState.DONE,
    aws_request_id="req-9",
    updated_at=T0,
)


def test_case_text_tells_the_story() -> None:
    subject, body = case_text(incident(), [alert()], REPORT, [ACTION])
    assert subject == f"Exposed access key {KEY} in account {ACCOUNT}: Access key exposed on GitHub"
    assert "Security incident inc-20260521-abc123 (keycheck)" in body
    assert f"Access key: {KEY} (long-term), owner: IAM user app-integration-user" in body
    assert "Key status now: Inactive" in body
    assert (
        "- 2026-05-21 12:11 UTC [cloudtrail-api-call] GetCallerIdentity from an unknown network "
        "(source IP 198.51.100.7, region eu-north-1)"
    ) in body
    assert (
        f"- 2026-05-21 12:11 UTC deactivate-key on {KEY} by U0ALICE: done (AWS request req-9)"
    ) in body


def test_case_text_stays_within_supports_limits() -> None:
    many = [alert(dedup_key=f"a{i}", title="x" * 500) for i in range(40)]
    subject, body = case_text(incident(title="t" * 400), many, None, [])
    assert len(subject) <= 200
    assert len(body) <= 8000
    assert "- none yet" in body
    assert body.endswith("that AWS has seen.")


def test_the_case_aws_opened_is_found_on_its_health_alert() -> None:
    health = alert(kind=AlertKind.HEALTH, details={"case_id": "case-123456789012-2026-aws"})
    assert existing_case_id(incident(), [alert(), health]) == "case-123456789012-2026-aws"
    assert existing_case_id(incident(case_id="case-ours"), [health]) == "case-ours"
    assert existing_case_id(incident(), [alert()]) == ""


def test_severity_follows_the_alert_within_the_plan() -> None:
    assert case_severity(Severity.CRITICAL) == "urgent"
    assert case_severity(Severity.CRITICAL, ["low", "normal", "high"]) == "high"
    assert case_severity(Severity.MEDIUM, ["low", "normal", "high", "urgent"]) == "normal"
    assert case_severity(Severity.LOW, ["normal"]) == "low"


def test_the_security_category_is_used_when_the_account_offers_it() -> None:
    offered = [
        {"code": "customer-account", "categories": [{"code": "security", "name": "Security"}]}
    ]
    assert security_category(offered) == "security"
    assert security_category([]) == "other-account-issues"


@pytest.fixture
def sessions(aws: boto3.Session) -> Sessions:
    return Sessions(aws)


def test_a_case_is_opened_with_the_summary(aws: boto3.Session, sessions: Sessions) -> None:
    answer(aws.events, "support.DescribeServices", {"services": []})
    answer(aws.events, "support.DescribeSeverityLevels", {"severityLevels": [{"code": "high"}]})
    outcome = open_case(sessions, incident(), [alert()], REPORT, [ACTION])
    assert outcome.status is CaseStatus.CREATED
    assert outcome.severity == "high"
    support = aws.client("support", region_name="us-east-1")
    [case] = support.describe_cases(caseIdList=[outcome.case_id])["cases"]
    assert case["subject"] == outcome.subject
    assert (case["serviceCode"], case["categoryCode"]) == (
        "customer-account",
        "other-account-issues",
    )
    body = case["recentCommunications"]["communications"][0]["body"]
    assert body == outcome.body
    assert "Containment so far:" in body


def test_the_case_aws_opened_gets_our_summary(aws: boto3.Session, sessions: Sessions) -> None:
    added = answer(
        aws.events,
        "support.AddCommunicationToCase",
        {"result": True, "ResponseMetadata": {"RequestId": "req-7"}},
    )
    created = count_calls(aws.events, "support.CreateCase")
    health = alert(kind=AlertKind.HEALTH, details={"case_id": "case-aws-1"})
    outcome = open_case(sessions, incident(), [health], REPORT, [])
    assert (outcome.status, outcome.case_id, outcome.request_id) == (
        CaseStatus.UPDATED,
        "case-aws-1",
        "req-7",
    )
    assert added.params == [{"caseId": "case-aws-1", "communicationBody": outcome.body}]
    assert len(created) == 0


def test_no_support_plan_hands_back_the_prefilled_text(
    aws: boto3.Session, sessions: Sessions
) -> None:
    fail_first(aws.events, "support.DescribeServices", "SubscriptionRequiredException", times=9)
    outcome = open_case(sessions, incident(), [alert()], REPORT, [])
    assert outcome.status is CaseStatus.NO_SUPPORT_PLAN
    assert "no support plan" in outcome.message
    assert outcome.subject.startswith(f"Exposed access key {KEY}")
    assert "Alerts:" in outcome.body


def test_another_failure_also_keeps_the_text(aws: boto3.Session, sessions: Sessions) -> None:
    answer(aws.events, "support.DescribeServices", {"services": []})
    answer(aws.events, "support.DescribeSeverityLevels", {"severityLevels": []})
    fail_first(aws.events, "support.CreateCase", "CaseCreationLimitExceeded", times=9)
    outcome = open_case(sessions, incident(), [alert()], REPORT, [])
    assert outcome.status is CaseStatus.FAILED
    assert "CaseCreationLimitExceeded" in outcome.message
    assert outcome.body
