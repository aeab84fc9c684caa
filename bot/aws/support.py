"""AWS Support: open a case, add to the one AWS opened, and look up what the plan allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bot.aws.retry import aws_retry, request_id

if TYPE_CHECKING:
    from mypy_boto3_support import SupportClient

# The Support API has one endpoint, in us-east-1, whatever region the bot runs in.
SUPPORT_REGION = "us-east-1"
NO_PLAN = "SubscriptionRequiredException"


@dataclass(frozen=True)
class CreatedCase:
    case_id: str
    request_id: str


def needs_support_plan(error: ClientError) -> bool:
    """True when the account's plan (Basic or Developer) has no Support API."""
    return error.response.get("Error", {}).get("Code") == NO_PLAN


@aws_retry()
def create_case(
    support: SupportClient,
    *,
    subject: str,
    body: str,
    service_code: str,
    category_code: str,
    severity: str,
    issue_type: str,
) -> CreatedCase:
    """Open a case; English, because that is what the on-call team writes in."""
    response = support.create_case(
        subject=subject,
        communicationBody=body,
        serviceCode=service_code,
        categoryCode=category_code,
        severityCode=severity,
        issueType=issue_type,
        language="en",
    )
    return CreatedCase(case_id=response["caseId"], request_id=request_id(dict(response)))


@aws_retry()
def add_communication_to_case(support: SupportClient, case_id: str, body: str) -> str:
    """Add our summary to a case that exists (AWS opens one for an exposed key); the request id."""
    response = support.add_communication_to_case(caseId=case_id, communicationBody=body)
    return request_id(dict(response))


@aws_retry()
def describe_cases(support: SupportClient, case_ids: list[str]) -> list[dict[str, Any]]:
    """The cases asked for, resolved ones included, with their communications."""
    response = support.describe_cases(
        caseIdList=case_ids, includeResolvedCases=True, includeCommunications=True
    )
    return [dict(case) for case in response.get("cases", [])]


@aws_retry()
def describe_services(support: SupportClient, service_code: str) -> list[dict[str, Any]]:
    """A service's case categories, as the account's plan offers them."""
    response = support.describe_services(serviceCodeList=[service_code], language="en")
    return [dict(service) for service in response.get("services", [])]


@aws_retry()
def describe_severity_levels(support: SupportClient) -> list[str]:
    """The severity codes this account's plan allows (critical only on Enterprise plans)."""
    response = support.describe_severity_levels(language="en")
    return [level.get("code", "") for level in response.get("severityLevels", [])]
