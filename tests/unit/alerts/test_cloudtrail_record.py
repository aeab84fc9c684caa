"""Raw CloudTrail records (a direct publish, or a Records batch): one alert per record."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.models import Alert, AlertKind, RuleId, Severity

Parse = Callable[[str | dict[str, Any]], list[Alert]]
Load = Callable[[str], dict[str, Any]]
USER_KEY = "AKIAQXZ4RMBT7JWNC5LE"


def test_backdoor_access_key_record(alerts_from: Parse) -> None:
    [alert] = alerts_from("cloudtrail_record.json")

    assert alert.kind is AlertKind.CLOUDTRAIL_RECORD
    assert alert.title == "New access key created"
    assert alert.rule == RuleId.PERSISTENCE_ACCESS_KEY
    assert alert.severity is Severity.HIGH
    assert alert.access_key_id == USER_KEY
    assert alert.events[0].request_parameters == {"userName": "admin-user"}


def test_batch_is_one_alert_per_record_in_order(alerts_from: Parse) -> None:
    alerts = alerts_from("cloudtrail_batch.json")

    assert [a.title for a in alerts] == [
        "GetCallerIdentity",
        "CloudTrail event: ListUsers",
        "CloudTrail event: ListAccessKeys",
        "Access denied: ListBuckets",
    ]
    denied = alerts[3]
    assert (denied.rule, denied.error_code) == (RuleId.ACCESS_DENIED, "AccessDenied")
    assert denied.severity is Severity.MEDIUM
    assert "not authorized to perform: s3:ListAllMyBuckets" in denied.details["error_message"]
    assert {a.severity for a in alerts[1:3]} == {Severity.LOW}


def test_records_reusing_an_event_id_are_not_merged(load_event: Load, alerts_from: Parse) -> None:
    records = load_event("cloudtrail_batch.json")["Records"]
    for record in records:
        record["eventID"] = "1"

    alerts = alerts_from({"Records": records})

    assert len({a.dedup_key for a in alerts}) == len(records)
    again = alerts_from({"Records": json.loads(json.dumps(records))})
    assert [a.dedup_key for a in again] == [a.dedup_key for a in alerts]


def test_session_tokens_in_a_record_are_not_kept(alerts_from: Parse) -> None:
    token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD" + "x" * 200
    record = {
        "eventVersion": "1.09",
        "eventSource": "sts.amazonaws.com",
        "eventName": "GetSessionToken",
        "eventTime": "2026-05-21T12:15:00Z",
        "eventID": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "userIdentity": {"type": "IAMUser", "accessKeyId": USER_KEY, "accountId": "123456789012"},
        "responseElements": {
            "credentials": {
                "accessKeyId": "ASIAQXZ4RMBTK3HV6YDP",
                "sessionToken": token,
                "expiration": "May 22, 2026, 12:15:00 AM",
            }
        },
    }

    [alert] = alerts_from(record)

    assert token not in alert.raw
    assert "ASIAQXZ4RMBTK3HV6YDP" in alert.raw
    assert token not in alert.model_dump_json()
    assert alert.events[0].response_elements["credentials"]["accessKeyId"] == "ASIAQXZ4RMBTK3HV6YDP"


def test_s3_event_notifications_are_not_taken_for_cloudtrail(alerts_from: Parse) -> None:
    notification = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-05-21T12:15:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": "org-cloudtrail-logs"}, "object": {"key": "a.json.gz"}},
            }
        ]
    }

    [alert] = alerts_from(notification)

    assert alert.kind is AlertKind.UNRECOGNISED
    assert alert.title == "Unrecognised alert: aws:s3 event notification ObjectCreated:Put"
