"""AWS console links: the right host for the partition, every value encoded."""

from __future__ import annotations

from bot.models import Alert, AlertKind, Incident, Severity
from bot.slack.console import (
    cloudtrail_history,
    console_host,
    guardduty_finding,
    health_event,
    iam_user_credentials,
    incident_links,
    links_line,
    support_case,
)

KEY = "AKIAQ3EGUPZ6BNVKXMLR"


def test_each_partition_has_its_own_console() -> None:
    assert console_host("eu-west-1") == "https://eu-west-1.console.aws.amazon.com"
    assert console_host("cn-north-1") == "https://console.amazonaws.cn"
    assert console_host("us-gov-west-1") == "https://console.amazonaws-us-gov.com"
    assert console_host("") == "https://us-east-1.console.aws.amazon.com"


def test_a_forged_region_or_name_cannot_leave_the_console() -> None:
    assert console_host("evil.example/x") == "https://us-east-1.console.aws.amazon.com"
    url = iam_user_credentials("a&b=c#d/../e", "us-east-1")
    assert url.endswith("/users/details/a%26b%3Dc%23d%2F..%2Fe?section=security_credentials")


def test_the_links_a_responder_opens_next() -> None:
    assert cloudtrail_history(KEY, "eu-west-1") == (
        "https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1"
        f"#/events?AccessKeyId={KEY}"
    )
    assert guardduty_finding("abc123", "us-east-2").endswith(
        "/guardduty/home?region=us-east-2#/findings?macros=current&fId=abc123"
    )
    assert health_event("arn:aws:health:global::event/X", "us-east-1").startswith(
        "https://health.aws.amazon.com/health/home#/account/event-log?eventID=arn%3Aaws%3A"
    )
    assert support_case("12345678910").endswith("#/case/?displayId=12345678910&language=en")


def test_an_incident_links_its_user_key_finding_health_event_and_case() -> None:
    incident = Incident(
        id="inc-1",
        account_id="123456789012",
        subject=KEY,
        title="t",
        severity=Severity.HIGH,
        access_key_id=KEY,
        user_name="app-user",
        case_id="12345678910",
    )
    history = [
        Alert(
            dedup_key="g",
            kind=AlertKind.GUARDDUTY,
            title="t",
            region="eu-west-1",
            details={"finding_id": "f1"},
        ),
        Alert(dedup_key="h", kind=AlertKind.HEALTH, title="t", details={"event_arn": "arn:x"}),
    ]
    labels = [label for label, _ in incident_links(incident, history)]
    assert labels == ["IAM user", "CloudTrail", "GuardDuty finding", "Health event", "Support case"]
    line = links_line(incident_links(incident, history))
    assert "&amp;" in line and "<https://eu-west-1.console.aws.amazon.com/iam/" in line
