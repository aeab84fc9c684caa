"""AWS Health risk events: which key, where it leaked, the support case; one alert per key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.models import Alert, AlertKind, Severity

Parse = Callable[[str | dict[str, Any]], list[Alert]]
Load = Callable[[str], dict[str, Any]]
USER_KEY = "AKIAQXZ4RMBT7JWNC5LE"
OTHER_KEY = "AKIAQXZ4RMBTW2NPLM7S"


def test_exposed_key_with_its_url(alerts_from: Parse) -> None:
    [alert] = alerts_from("health_credentials_exposed.json")

    assert alert.kind is AlertKind.HEALTH
    assert alert.rule == "AWS_RISK_CREDENTIALS_EXPOSED"
    assert alert.title == "AWS found this access key exposed publicly"
    assert alert.severity is Severity.CRITICAL
    assert alert.access_key_id == USER_KEY
    assert alert.user_name == "app-integration-user"
    assert (alert.account_id, alert.region) == ("123456789012", "us-east-1")
    assert alert.occurred_at == datetime(2026, 5, 21, 12, 35, 54, tzinfo=UTC)
    assert alert.details["exposed_url"] == (
        "https://github.com/example-org/integrations/blob/4f1c2d3e/config/settings.py"
    )
    assert alert.details["status"] == "open"
    assert "case_id" not in alert.details


def test_irregular_activity_naming_two_keys_is_two_alerts(alerts_from: Parse) -> None:
    alerts = alerts_from("health_compromise_suspected.json")

    assert [a.access_key_id for a in alerts] == [USER_KEY, OTHER_KEY]
    assert len({a.dedup_key for a in alerts}) == 2
    for alert in alerts:
        assert alert.title == "Irregular activity: AWS suspects this access key is compromised"
        assert alert.severity is Severity.CRITICAL
        assert alert.details["case_display_id"] == "171234567890"
        assert "case_id" not in alert.details
        assert alert.source_ip == "198.51.100.50"
        assert alert.event_name == "GetCallerIdentity"
        assert alert.user_name == "app-integration-user"
        assert alert.details["affected_keys"] == f"{USER_KEY}, {OTHER_KEY}"
        assert "exposed_url" not in alert.details


def test_quarantine_is_critical(alerts_from: Parse) -> None:
    [alert] = alerts_from("health_iam_quarantine.json")

    assert alert.title == "AWS attached its quarantine policy to this key's user"
    assert alert.severity is Severity.CRITICAL
    assert alert.access_key_id == USER_KEY


def test_url_in_the_description_loses_its_full_stop(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("health_credentials_exposed.json")
    del event["detail"]["eventMetadata"]
    event["detail"]["eventDescription"][0]["latestDescription"] = (
        f"The AWS Access Key {USER_KEY}, belonging to IAM User app-integration-user, along with "
        "the corresponding Secret Key is publicly available online at "
        "https://github.com/example-org/integrations/blob/main/config.py."
    )

    [alert] = alerts_from(event)

    assert alert.details["exposed_url"] == (
        "https://github.com/example-org/integrations/blob/main/config.py"
    )
    assert alert.user_name == "app-integration-user"


def test_support_case_id_in_the_description(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("health_iam_quarantine.json")
    event["detail"]["eventDescription"][0]["latestDescription"] += (
        " We opened case-123456789012-muen-2026-1a2b3c4d5e6f7a8b for you."
    )

    [alert] = alerts_from(event)

    assert alert.details["case_id"] == "case-123456789012-muen-2026-1a2b3c4d5e6f7a8b"


def test_redelivered_event_is_the_same_alert(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("health_credentials_exposed.json")
    [first] = alerts_from(event)
    event["id"] = "a-later-update"
    event["detail"]["lastUpdatedTime"] = "Thu, 21 May 2026 14:00:00 GMT"

    [update] = alerts_from(event)

    assert update.dedup_key == first.dedup_key


def test_seed_email_key_is_malformed_so_the_alert_has_no_key(
    load_event: Load, alerts_from: Parse
) -> None:
    event = load_event("health_iam_quarantine.json")
    event["detail"]["affectedEntities"] = [{"entityValue": "AKIA1234567890ABCDEF"}]
    event["resources"] = []
    event["detail"]["eventDescription"] = []

    [alert] = alerts_from(event)

    assert alert.access_key_id == ""
    assert "AKIA1234567890ABCDEF" in alert.details["note"]
    assert alert.dedup_key.endswith(":123456789012")
    assert alert.severity is Severity.CRITICAL


def test_entity_given_as_a_path_still_yields_the_key(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("health_iam_quarantine.json")
    event["detail"]["affectedEntities"] = [
        {"entityValue": f"IAM_USER/app-integration-user/{USER_KEY}"}
    ]
    event["resources"] = []

    [alert] = alerts_from(event)

    assert alert.access_key_id == USER_KEY


def test_other_health_events_are_low(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("health_iam_quarantine.json")
    event["detail"]["eventTypeCode"] = "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"
    event["detail"]["affectedEntities"] = [{"entityValue": "i-0a1b2c3d4e5f6a7b8"}]
    event["resources"] = []
    event["detail"]["eventDescription"] = []

    [alert] = alerts_from(event)

    assert alert.title == "AWS Health: AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED"
    assert alert.severity is Severity.LOW
    assert "note" not in alert.details


def test_event_without_a_type_code_is_unrecognised(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("health_credentials_exposed.json")
    del event["detail"]["eventTypeCode"]

    [alert] = alerts_from(event)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == "Malformed AWS Health event: no detail.eventTypeCode"
