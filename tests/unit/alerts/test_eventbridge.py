"""EventBridge CloudTrail events: the card's who, what, where and when come out right."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.models import Alert, AlertKind, RuleId, Severity

Parse = Callable[[str | dict[str, Any]], list[Alert]]
Load = Callable[[str], dict[str, Any]]
USER_KEY = "AKIAQXZ4RMBT7JWNC5LE"
TEMP_KEY = "ASIAQXZ4RMBTK3HV6YDP"


def test_getcalleridentity_from_outside_is_a_high_recon_alert(alerts_from: Parse) -> None:
    [alert] = alerts_from("eventbridge_getcalleridentity.json")

    assert alert.kind is AlertKind.CLOUDTRAIL_API_CALL
    assert alert.title == "GetCallerIdentity from outside known networks"
    assert alert.rule == RuleId.RECON_CALLER_IDENTITY
    assert alert.severity is Severity.HIGH
    assert alert.access_key_id == USER_KEY
    assert alert.user_name == "app-integration-user"
    assert alert.principal_arn == "arn:aws:iam::123456789012:user/app-integration-user"
    assert alert.principal_type == "IAMUser"
    assert alert.source_ip == "198.51.100.50"
    assert alert.user_agent.startswith("aws-cli/2.15.30")
    assert (alert.account_id, alert.region) == ("123456789012", "us-east-1")
    assert (alert.event_source, alert.event_name) == ("sts.amazonaws.com", "GetCallerIdentity")
    assert alert.occurred_at == datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)
    assert alert.dedup_key == "cloudtrail:6a1f9e2c-4b7d-4c3e-9f8a-1d2e3f4a5b6c"
    assert alert.details["eventbridge_id"] == "3c4f5b6a-7d8e-4f90-a1b2-c3d4e5f6a7b8"
    assert [e.event_name for e in alert.events] == ["GetCallerIdentity"]
    assert '"eventName": "GetCallerIdentity"' in alert.raw


def test_same_call_raw_wrapped_or_as_a_record_is_one_alert(alerts_from: Parse) -> None:
    [raw] = alerts_from("eventbridge_getcalleridentity.json")
    [wrapped] = alerts_from("sns_eventbridge_getcalleridentity.json")
    record = alerts_from("cloudtrail_batch.json")[0]

    assert raw.dedup_key == wrapped.dedup_key == record.dedup_key
    assert raw.model_dump(exclude={"received_at"}) == wrapped.model_dump(exclude={"received_at"})


def test_console_sign_in_without_mfa(alerts_from: Parse) -> None:
    [alert] = alerts_from("eventbridge_console_signin_no_mfa.json")

    assert alert.title == "Console sign-in without MFA"
    assert alert.rule == RuleId.CONSOLE_LOGIN_NO_MFA
    assert alert.severity is Severity.HIGH
    assert alert.access_key_id == ""
    assert alert.user_name == "app-integration-user"
    assert alert.details["mfa"] == "no"
    assert alert.details["console_login"] == "Success"
    assert alert.details["detail_type"] == "AWS Console Sign In via CloudTrail"


def test_failed_console_sign_in_is_not_called_a_sign_in(
    load_event: Load, alerts_from: Parse
) -> None:
    event = load_event("eventbridge_console_signin_no_mfa.json")
    event["detail"]["responseElements"] = {"ConsoleLogin": "Failure"}
    event["detail"]["errorMessage"] = "Failed authentication"

    [alert] = alerts_from(event)

    assert alert.title == "Console sign-in failed"
    assert alert.severity is Severity.MEDIUM


def test_temporary_key_in_an_unapproved_region(alerts_from: Parse) -> None:
    [alert] = alerts_from("eventbridge_unapproved_region.json")

    assert alert.title == "RunInstances via CloudTrail"
    assert alert.access_key_id == TEMP_KEY
    assert alert.region == "ap-east-1"
    assert alert.principal_type == "AssumedRole"
    assert alert.user_name == "ci-deploy-role"
    assert alert.principal_arn.endswith(":assumed-role/ci-deploy-role/ci-deploy")
    assert alert.severity is Severity.MEDIUM


def test_root_activity_is_critical_whatever_the_call(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("eventbridge_getcalleridentity.json")
    event["detail"]["userIdentity"] = {
        "type": "Root",
        "principalId": "123456789012",
        "arn": "arn:aws:iam::123456789012:root",
        "accountId": "123456789012",
        "accessKeyId": "AKIAQXZ4RMBTROOT2ABC",
    }

    [alert] = alerts_from(event)

    assert alert.rule == RuleId.ROOT_USAGE
    assert alert.severity is Severity.CRITICAL
    assert alert.title == "Root account used: GetCallerIdentity"


def test_malformed_key_id_is_dropped_and_noted_but_kept_raw(
    load_event: Load, alerts_from: Parse
) -> None:
    event = load_event("eventbridge_getcalleridentity.json")
    event["detail"]["userIdentity"]["accessKeyId"] = "AKIA1234567890ABCDEF"

    [alert] = alerts_from(event)

    assert alert.access_key_id == ""
    assert alert.events[0].access_key_id == ""
    assert "AKIA1234567890ABCDEF" in alert.details["note"]
    assert "AKIA1234567890ABCDEF" in alert.raw
    assert alert.user_name == "app-integration-user"


def test_envelope_fields_fill_what_the_record_lacks(load_event: Load, alerts_from: Parse) -> None:
    event = load_event("eventbridge_getcalleridentity.json")
    for field in ("eventTime", "awsRegion", "recipientAccountId", "eventID"):
        del event["detail"][field]
    del event["detail"]["userIdentity"]["accountId"]

    [alert] = alerts_from(event)

    assert alert.occurred_at == datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)
    assert (alert.account_id, alert.region) == ("123456789012", "us-east-1")
    assert alert.dedup_key.startswith("cloudtrail:sha256:")


def test_event_without_a_detail_is_an_unrecognised_alert(
    load_event: Load, alerts_from: Parse
) -> None:
    event = load_event("eventbridge_getcalleridentity.json")
    event["detail"] = "GetCallerIdentity"

    [alert] = alerts_from(event)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == "Malformed EventBridge CloudTrail event: no detail object"
    assert alert.account_id == "123456789012"
