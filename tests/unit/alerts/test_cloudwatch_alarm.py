"""CloudWatch alarm notifications: the alert says which alarm and where to look for why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.alerts.cloudwatch import window, with_events
from bot.models import Alert, AlertKind, RuleId, Severity, TimelineEvent

Parse = Callable[[str | dict[str, Any]], list[Alert]]
Load = Callable[[str], dict[str, Any]]


def test_access_denied_alarm_through_sns(alerts_from: Parse) -> None:
    [alert] = alerts_from("sns_cloudwatch_alarm_access_denied.json")

    assert alert.kind is AlertKind.CLOUDWATCH_ALARM
    assert alert.title == "Access denied calls (alarm keycheck-access-denied)"
    assert alert.rule == RuleId.ACCESS_DENIED
    assert alert.severity is Severity.MEDIUM
    assert (alert.account_id, alert.region) == ("123456789012", "us-east-1")
    assert alert.occurred_at == datetime(2026, 5, 21, 12, 16, 3, 517000, tzinfo=UTC)
    assert alert.details["metric_name"] == "AccessDenied"
    assert alert.details["namespace"] == "keycheck"
    assert alert.details["state"] == "ALARM"
    assert alert.access_key_id == ""
    assert alert.events == []


def test_window_is_period_times_evaluations_back_floored_to_a_period(alerts_from: Parse) -> None:
    [denied] = alerts_from("sns_cloudwatch_alarm_access_denied.json")
    [root] = alerts_from("cloudwatch_alarm_root_usage.json")

    assert window(denied) == (
        datetime(2026, 5, 21, 12, 10, tzinfo=UTC),
        datetime(2026, 5, 21, 12, 16, 3, 517000, tzinfo=UTC),
    )
    assert window(root) == (
        datetime(2026, 5, 21, 13, 0, tzinfo=UTC),
        datetime(2026, 5, 21, 13, 11, 44, 20000, tzinfo=UTC),
    )


def test_root_usage_alarm_is_critical(alerts_from: Parse) -> None:
    [alert] = alerts_from("cloudwatch_alarm_root_usage.json")

    assert alert.rule == RuleId.ROOT_USAGE
    assert alert.severity is Severity.CRITICAL
    assert alert.title == "Root account used (alarm keycheck-root-usage)"


def test_one_transition_is_one_alert_and_recovery_is_another(alerts_from: Parse) -> None:
    [first] = alerts_from("sns_cloudwatch_alarm_access_denied.json")
    [again] = alerts_from("sns_cloudwatch_alarm_access_denied.json")
    [recovered] = alerts_from("cloudwatch_alarm_ok.json")

    assert first.dedup_key == again.dedup_key
    assert recovered.dedup_key != first.dedup_key
    assert recovered.severity is Severity.LOW
    assert recovered.title == "Access denied calls (alarm keycheck-access-denied) is back to OK"


def test_someone_elses_alarm_is_named_by_its_alarm(load_event: Load, alerts_from: Parse) -> None:
    alarm = load_event("cloudwatch_alarm_root_usage.json")
    alarm["AlarmName"] = "billing-spike"
    alarm["Trigger"] = {
        "MetricName": "EstimatedCharges",
        "Namespace": "AWS/Billing",
        "Period": 21600,
    }
    del alarm["AlarmArn"]

    [alert] = alerts_from(alarm)

    assert alert.title == "Alarm billing-spike"
    assert alert.rule == "billing-spike"
    assert alert.severity is Severity.MEDIUM
    assert alert.region == "us-east-1"
    assert alert.details["period"] == "21600"


def test_alarm_without_state_change_time_is_unrecognised(
    load_event: Load, alerts_from: Parse
) -> None:
    alarm = load_event("cloudwatch_alarm_root_usage.json")
    alarm["StateChangeTime"] = "yesterday"

    [alert] = alerts_from(alarm)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == "Malformed CloudWatch alarm notification: no StateChangeTime"


def test_nonsense_period_falls_back_to_a_default_window(
    load_event: Load, alerts_from: Parse
) -> None:
    alarm = load_event("cloudwatch_alarm_root_usage.json")
    alarm["Trigger"]["Period"] = "often"
    alarm["Trigger"]["EvaluationPeriods"] = -3

    [alert] = alerts_from(alarm)

    assert alert.details["period"] == "300"
    assert alert.details["evaluation_periods"] == "1"


def _event(name: str, minute: int, key: str, **extra: Any) -> TimelineEvent:
    return TimelineEvent(
        event_id=f"{name}-{minute}",
        time=datetime(2026, 5, 21, 12, minute, tzinfo=UTC),
        event_source="s3.amazonaws.com",
        event_name=name,
        access_key_id=key,
        error_code="AccessDenied",
        source_ip="198.51.100.50",
        user_agent="aws-cli/2.15.30",
        principal_arn="arn:aws:iam::123456789012:user/app-integration-user",
        principal_type="IAMUser",
        user_name="app-integration-user",
        **extra,
    )


def test_alarm_completed_from_its_log_events(alerts_from: Parse) -> None:
    [alert] = alerts_from("sns_cloudwatch_alarm_access_denied.json")
    events = [
        _event("ListBuckets", 11, "AKIAQXZ4RMBT7JWNC5LE"),
        _event("GetObject", 12, "AKIAQXZ4RMBTW2NPLM7S"),
        _event("ListUsers", 13, "AKIA1234567890ABCDEF"),
    ]

    complete = with_events(alert, events)

    assert complete.dedup_key == alert.dedup_key
    assert complete.access_key_id == "AKIAQXZ4RMBT7JWNC5LE"
    assert (complete.user_name, complete.source_ip) == ("app-integration-user", "198.51.100.50")
    assert (complete.event_name, complete.error_code) == ("ListBuckets", "AccessDenied")
    assert [e.event_name for e in complete.events] == ["ListBuckets", "GetObject", "ListUsers"]
    assert complete.events[2].access_key_id == ""
    assert complete.details["events_found"] == "3"
    assert complete.details["other_keys"] == "AKIAQXZ4RMBTW2NPLM7S"
    assert complete.title == alert.title


def test_alarm_with_no_events_found_says_so(alerts_from: Parse) -> None:
    [alert] = alerts_from("cloudwatch_alarm_root_usage.json")

    complete = with_events(alert, [])

    assert complete.details["events_found"] == "0"
    assert complete.access_key_id == ""
