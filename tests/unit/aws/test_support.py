"""AWS Support functions: cases opened in moto, a missing plan recognised, additions sent."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bot.aws import support as support_api
from tests.support.aws import answer, fail_first


@pytest.fixture
def support(aws: boto3.Session) -> Any:
    return aws.client("support", region_name=support_api.SUPPORT_REGION)


def test_a_created_case_is_there_with_its_codes(support: Any) -> None:
    created = support_api.create_case(
        support,
        subject="Exposed access key",
        body="Our key leaked.",
        service_code="customer-account",
        category_code="other-account-issues",
        severity="high",
        issue_type="customer-service",
    )
    assert created.case_id.startswith("case-")
    [case] = support_api.describe_cases(support, [created.case_id])
    assert case["subject"] == "Exposed access key"
    assert (case["serviceCode"], case["categoryCode"]) == (
        "customer-account",
        "other-account-issues",
    )
    assert case["recentCommunications"]["communications"][0]["body"] == "Our key leaked."


def test_an_account_without_a_plan_is_recognised(aws: boto3.Session) -> None:
    fail_first(aws.events, "support.CreateCase", "SubscriptionRequiredException", times=9)
    support = aws.client("support", region_name="us-east-1")
    with pytest.raises(ClientError) as raised:
        support_api.create_case(
            support,
            subject="s",
            body="b",
            service_code="customer-account",
            category_code="other-account-issues",
            severity="low",
            issue_type="customer-service",
        )
    assert support_api.needs_support_plan(raised.value)


def test_a_communication_is_added_to_the_named_case(aws: boto3.Session) -> None:
    calls = answer(
        aws.events,
        "support.AddCommunicationToCase",
        {"result": True, "ResponseMetadata": {"RequestId": "req-123"}},
    )
    support = aws.client("support", region_name="us-east-1")
    assert support_api.add_communication_to_case(support, "case-1", "summary") == "req-123"
    assert calls.params == [{"caseId": "case-1", "communicationBody": "summary"}]


def test_plan_lookups_read_codes(aws: boto3.Session) -> None:
    answer(
        aws.events,
        "support.DescribeSeverityLevels",
        {"severityLevels": [{"code": "low", "name": "Low"}, {"code": "urgent", "name": "Urgent"}]},
    )
    services = [
        {"code": "customer-account", "categories": [{"code": "security", "name": "Security"}]}
    ]
    answer(aws.events, "support.DescribeServices", {"services": services})
    support = aws.client("support", region_name="us-east-1")
    assert support_api.describe_severity_levels(support) == ["low", "urgent"]
    assert support_api.describe_services(support, "customer-account") == services
