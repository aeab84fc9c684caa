"""Fixtures: the Slack stand-in, and the alerts a responder meets, as the parsers produce them."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient

from bot.models import (
    Alert,
    AlertContext,
    AlertKind,
    Incident,
    KeyKind,
    KeyReport,
    Severity,
    TimelineEvent,
)
from bot.standins.slack import SlackStandIn

KEY = "AKIAQ3EGUPZ6BNVKXMLR"
SESSION_KEY = "ASIAQ3EGUPZ6PQRSTUVW"
ACCOUNT = "123456789012"
USER = "app-integration-user"
ATTACKER_IP = "198.51.100.50"
WHEN = datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)


LOCAL_TIME = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")


def dated(text: str) -> str:
    """Slack's local-time tokens read as their UTC fallback; everything else as sent."""
    return LOCAL_TIME.sub(r"\1", text)


class FakeClock:
    """A clock whose sleep moves time instead of waiting; safe to share between threads."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


@pytest.fixture
def raw_client(slack: SlackStandIn) -> WebClient:
    return WebClient(base_url=slack.url, token=slack.token, retry_handlers=[])


def make_incident(alert: Alert, **changes: object) -> Incident:
    incident = Incident(
        id="inc-20260521-0001",
        account_id=alert.account_id,
        subject=alert.subject,
        title=alert.title,
        severity=alert.severity,
        access_key_id=alert.access_key_id,
        user_name=alert.user_name,
        alert_count=1,
        first_seen=WHEN,
        last_seen=WHEN,
    )
    return incident.model_copy(update=changes)


def key_report(**changes: object) -> KeyReport:
    report = KeyReport(
        access_key_id=KEY,
        kind=KeyKind.LONG_TERM,
        account_id=ACCOUNT,
        user_name=USER,
        status="Active",
        created=datetime(2025, 5, 21, tzinfo=UTC),
        last_used_at=WHEN,
        last_used_service="sts",
        last_used_region="us-east-1",
    )
    return report.model_copy(update=changes)


@pytest.fixture
def caller_identity() -> Alert:
    """Seed 001: GetCallerIdentity with the leaked key, from outside the known networks."""
    return Alert(
        dedup_key="eb:6f1b2c3d",
        kind=AlertKind.CLOUDTRAIL_API_CALL,
        title="GetCallerIdentity from outside known networks",
        received_at=WHEN,
        occurred_at=WHEN,
        severity=Severity.HIGH,
        account_id=ACCOUNT,
        region="us-east-1",
        rule="GetCallerIdentity from outside known networks",
        event_source="sts.amazonaws.com",
        event_name="GetCallerIdentity",
        access_key_id=KEY,
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/{USER}",
        principal_type="IAMUser",
        user_name=USER,
        source_ip=ATTACKER_IP,
        user_agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5 exe/x86_64.kali",
    )


@pytest.fixture
def caller_identity_context() -> AlertContext:
    return AlertContext(
        key=key_report(),
        ip_known=False,
        region_approved=True,
        ip_location="Frankfurt am Main, DE",
    )


@pytest.fixture
def guardduty() -> Alert:
    return Alert(
        dedup_key="gd:8ec5a1b2c3d4e5f6",
        kind=AlertKind.GUARDDUTY,
        title="Credentials used from an IP address outside AWS",
        received_at=WHEN,
        occurred_at=WHEN,
        severity=Severity.HIGH,
        account_id=ACCOUNT,
        region="eu-west-1",
        rule="UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
        event_source="ec2.amazonaws.com",
        event_name="DescribeInstances",
        access_key_id=SESSION_KEY,
        principal_type="AssumedRole",
        user_name="web-app-role",
        source_ip="203.0.113.7",
        details={"finding_id": "8ec5a1b2c3d4e5f6", "count": "3"},
    )


@pytest.fixture
def health_exposed() -> Alert:
    return Alert(
        dedup_key="health:AWS_RISK_CREDENTIALS_EXPOSED:AKIA",
        kind=AlertKind.HEALTH,
        title="AWS found this access key exposed publicly",
        received_at=WHEN,
        severity=Severity.CRITICAL,
        account_id=ACCOUNT,
        region="global",
        rule="AWS_RISK_CREDENTIALS_EXPOSED",
        access_key_id=KEY,
        details={
            "exposed_url": "https://github.com/example-org/app/blob/3f2a1c/config.py",
            "case_id": "case-123456789012-muen-2026-1a2b3c4d",
        },
    )


@pytest.fixture
def access_denied_alarm() -> Alert:
    events = [
        TimelineEvent(
            event_id=f"ev-{index}",
            time=WHEN.replace(minute=12 + index),
            event_source="iam.amazonaws.com",
            event_name=name,
            access_key_id=KEY,
            source_ip=ATTACKER_IP,
            error_code="AccessDenied",
        )
        for index, name in enumerate(
            ["ListUsers", "ListAccessKeys", "ListRoles", "ListPolicies", "GetUser", "ListGroups"]
        )
    ]
    return Alert(
        dedup_key="cw:keycheck-access-denied:2026-05-21T12:20:00",
        kind=AlertKind.CLOUDWATCH_ALARM,
        title="AccessDenied burst (CloudWatch alarm keycheck-access-denied)",
        received_at=WHEN,
        severity=Severity.MEDIUM,
        account_id=ACCOUNT,
        region="us-east-1",
        rule="keycheck-access-denied",
        error_code="AccessDenied",
        access_key_id=KEY,
        source_ip=ATTACKER_IP,
        details={"metric": "keycheck/AccessDenied", "window": "12:15:00–12:20:00 UTC"},
        events=events,
    )


@pytest.fixture
def unrecognised() -> Alert:
    return Alert(
        dedup_key="raw:5d41402abc4b2a76",
        kind=AlertKind.UNRECOGNISED,
        title="JSON with keys: alarmName, detail, source",
        received_at=WHEN,
        severity=Severity.MEDIUM,
        raw='{"source": "custom.scanner", "detail": {"note": "<!here> ```break out```"}}',
    )
