"""GuardDuty findings: key, principal, call and origin on the card; one alert per finding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.alerts.severity import for_guardduty
from bot.models import Alert, AlertKind, Severity

Parse = Callable[[str | dict[str, Any]], list[Alert]]
Load = Callable[[str], dict[str, Any]]
USER_KEY = "AKIAQXZ4RMBT7JWNC5LE"
TEMP_KEY = "ASIAQXZ4RMBTK3HV6YDP"


def test_iam_anomalous_behaviour(alerts_from: Parse) -> None:
    [alert] = alerts_from("guardduty_iam_anomalous_behavior.json")

    assert alert.kind is AlertKind.GUARDDUTY
    assert alert.rule == "Discovery:IAMUser/AnomalousBehavior"
    assert alert.title.startswith("Anomalous API commonly used in Discovery tactics")
    assert alert.severity is Severity.MEDIUM
    assert alert.dedup_key == "guardduty:7ac7d0e1c3a74e2b9f0d1e2c3b4a5f60"
    assert alert.access_key_id == USER_KEY
    assert (alert.user_name, alert.principal_type) == ("app-integration-user", "IAMUser")
    assert (alert.event_source, alert.event_name) == ("iam.amazonaws.com", "ListUsers")
    assert alert.source_ip == "198.51.100.50"
    assert (alert.account_id, alert.region) == ("123456789012", "us-east-1")
    assert alert.occurred_at == datetime(2026, 5, 21, 12, 14, 40, tzinfo=UTC)
    assert alert.details["count"] == "4"
    assert alert.details["country"] == "Netherlands"
    assert alert.details["organization"] == "EXAMPLE-HOSTING"


def test_instance_credentials_used_outside_aws(alerts_from: Parse) -> None:
    [alert] = alerts_from("guardduty_instance_credential_exfiltration.json")

    assert alert.severity is Severity.HIGH
    assert alert.access_key_id == TEMP_KEY
    assert (alert.user_name, alert.principal_type) == ("web-instance-role", "AssumedRole")
    assert alert.event_name == "DescribeInstances"
    assert alert.error_code == ""


def test_attack_sequence_names_the_key_on_its_actor(alerts_from: Parse) -> None:
    [alert] = alerts_from("guardduty_attack_sequence.json")

    assert alert.rule == "AttackSequence:IAM/CompromisedCredentials"
    assert alert.severity is Severity.CRITICAL
    assert alert.access_key_id == USER_KEY
    assert alert.user_name == "app-integration-user"
    assert alert.source_ip == "198.51.100.50"
    assert alert.event_name == (
        "GetCallerIdentity, Discovery:IAMUser/AnomalousBehavior, CreateAccessKey"
    )
    assert alert.details["tactics"] == "Discovery, Persistence"
    assert alert.details["techniques"] == "T1087.004, T1098.001"
    assert alert.details["signals"] == "3"


def test_sample_finding_is_marked_and_its_placeholder_key_dropped(alerts_from: Parse) -> None:
    [alert] = alerts_from("guardduty_sample.json")

    assert alert.title.startswith("[sample] ")
    assert alert.details["sample"] == "yes"
    assert alert.access_key_id == ""
    assert "malformed access key id `GeneratedFindingAccessKe…`" in alert.details["note"]
    assert "GeneratedFindingAccessKeyId" in alert.raw


def test_an_updated_finding_is_the_same_alert(load_event: Load, alerts_from: Parse) -> None:
    finding = load_event("guardduty_iam_anomalous_behavior.json")
    [first] = alerts_from(finding)
    finding["id"] = "another-eventbridge-event-id"
    finding["detail"]["service"]["count"] = 9
    finding["detail"]["updatedAt"] = "2026-05-21T13:02:11.000Z"

    [update] = alerts_from(finding)

    assert update.dedup_key == first.dedup_key
    assert update.details["count"] == "9"


def test_pascal_case_or_missing_id_is_unrecognised(load_event: Load, alerts_from: Parse) -> None:
    finding = load_event("guardduty_iam_anomalous_behavior.json")
    finding["detail"] = {"Id": "7ac7", "Type": "Discovery:IAMUser/AnomalousBehavior"}

    [alert] = alerts_from(finding)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == "Malformed GuardDuty finding: no id"


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1.0, Severity.LOW),
        (3.9, Severity.LOW),
        (4.0, Severity.MEDIUM),
        (6.9, Severity.MEDIUM),
        (7.0, Severity.HIGH),
        (8.9, Severity.HIGH),
        (9.0, Severity.CRITICAL),
        (None, Severity.MEDIUM),
    ],
)
def test_severity_follows_guardduty_bands(score: float | None, expected: Severity) -> None:
    assert for_guardduty(score) is expected


def test_severity_given_as_text_is_read(load_event: Load, alerts_from: Parse) -> None:
    finding = load_event("guardduty_iam_anomalous_behavior.json")
    finding["detail"]["severity"] = "8.0"

    [alert] = alerts_from(finding)

    assert alert.severity is Severity.HIGH
