"""The events behind a metric-filter alarm, looked up in CloudWatch Logs (moto).

moto 5.2.5 cannot check two things here: it ignores JSON filter patterns (every event in the
window comes back, so whether `{ $.errorCode = "AccessDenied" }` selects the right events is
AWS's job and is not tested), and it drops events with old timestamps (so every event here is
written a few minutes before now). Term patterns do work, and are used to show that the
filter's own pattern is the one sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from bot.aws.logs import alarm_events
from bot.models import TimelineEvent

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

GROUP = "aws-cloudtrail-logs-123456789012"
DENIED_PATTERN = '{ ($.errorCode = "AccessDenied") || ($.errorCode = "UnauthorizedOperation") }'
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def logs() -> Iterator[CloudWatchLogsClient]:
    with mock_aws():
        client = boto3.client("logs", region_name="us-east-1")
        client.create_log_group(logGroupName=GROUP)
        client.create_log_stream(logGroupName=GROUP, logStreamName="123456789012_CloudTrail")
        yield client


def record(name: str, when: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIAQXZ4RMBT7JWNC5LE"},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "sourceIPAddress": "198.51.100.50",
        "eventID": f"{name}-{when.timestamp():.0f}",
        **extra,
    }


def put(logs: CloudWatchLogsClient, *events: tuple[datetime, str], group: str = GROUP) -> None:
    logs.put_log_events(
        logGroupName=group,
        logStreamName="123456789012_CloudTrail",
        logEvents=[
            {"timestamp": int(t.timestamp() * 1000), "message": m} for t, m in sorted(events)
        ],
    )


def metric_filter(logs: CloudWatchLogsClient, name: str, pattern: str, group: str = GROUP) -> None:
    logs.put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[
            {"metricName": name, "metricNamespace": "keycheck", "metricValue": "1"}
        ],
    )


def denied(name: str, when: datetime) -> tuple[datetime, str]:
    return when, json.dumps(record(name, when, errorCode="AccessDenied"))


def lookup(
    logs: CloudWatchLogsClient,
    *,
    metric: str = "AccessDenied",
    namespace: str = "keycheck",
    group: str = GROUP,
    limit: int = 50,
) -> list[TimelineEvent]:
    """The alarm lookup over the last ten minutes, as ingest runs it for a fresh alarm."""
    return alarm_events(
        logs,
        log_group=group,
        metric_name=metric,
        namespace=namespace,
        start=NOW - timedelta(minutes=10),
        end=NOW,
        limit=limit,
    )


def test_events_in_the_window_come_back_parsed_oldest_first(logs: CloudWatchLogsClient) -> None:
    metric_filter(logs, "AccessDenied", DENIED_PATTERN)
    put(
        logs,
        denied("ListRoles", NOW - timedelta(minutes=3)),
        denied("ListUsers", NOW - timedelta(minutes=4)),
        denied("GetUser", NOW - timedelta(minutes=30)),
    )

    events = lookup(logs)

    assert [e.event_name for e in events] == ["ListUsers", "ListRoles"]
    assert {e.error_code for e in events} == {"AccessDenied"}
    assert {e.access_key_id for e in events} == {"AKIAQXZ4RMBT7JWNC5LE"}
    assert events[0].time == NOW - timedelta(minutes=4)


def test_the_filters_own_pattern_is_used(logs: CloudWatchLogsClient) -> None:
    metric_filter(logs, "RootUsage", '"Root"')
    root = record("ListBuckets", NOW - timedelta(minutes=2), userIdentity={"type": "Root"})
    put(
        logs,
        (NOW - timedelta(minutes=3), json.dumps(record("ListUsers", NOW - timedelta(minutes=3)))),
        (NOW - timedelta(minutes=2), json.dumps(root)),
    )

    events = lookup(logs, metric="RootUsage")

    assert [(e.event_name, e.principal_type) for e in events] == [("ListBuckets", "Root")]


def test_limit_keeps_the_oldest_events(logs: CloudWatchLogsClient) -> None:
    metric_filter(logs, "AccessDenied", DENIED_PATTERN)
    put(logs, *(denied(f"Call{i}", NOW - timedelta(minutes=9 - i)) for i in range(7)))

    events = lookup(logs, limit=3)

    assert [e.event_name for e in events] == ["Call0", "Call1", "Call2"]


def test_no_metric_filter_means_no_events(logs: CloudWatchLogsClient) -> None:
    put(logs, denied("ListUsers", NOW - timedelta(minutes=1)))

    events = lookup(logs, metric="EstimatedCharges", namespace="AWS/Billing")

    assert events == []


def test_messages_that_are_not_records_are_skipped(logs: CloudWatchLogsClient) -> None:
    metric_filter(logs, "AccessDenied", DENIED_PATTERN)
    put(
        logs,
        (NOW - timedelta(minutes=3), "CloudTrail log delivery started"),
        (NOW - timedelta(minutes=2), "[1, 2, 3]"),
        denied("ListUsers", NOW - timedelta(minutes=1)),
    )

    events = lookup(logs)

    assert [e.event_name for e in events] == ["ListUsers"]


def test_filter_on_another_group_is_still_searched(logs: CloudWatchLogsClient) -> None:
    other = "org-trail"
    logs.create_log_group(logGroupName=other)
    logs.create_log_stream(logGroupName=other, logStreamName="123456789012_CloudTrail")
    metric_filter(logs, "AccessDenied", DENIED_PATTERN, group=other)
    put(logs, denied("ListUsers", NOW - timedelta(minutes=1)), group=other)

    events = lookup(logs)

    assert [e.event_name for e in events] == ["ListUsers"]


def test_two_filters_feeding_one_metric_are_both_searched_once_per_event(
    logs: CloudWatchLogsClient,
) -> None:
    other = "org-trail"
    logs.create_log_group(logGroupName=other)
    logs.create_log_stream(logGroupName=other, logStreamName="123456789012_CloudTrail")
    metric_filter(logs, "AccessDenied", DENIED_PATTERN)
    metric_filter(logs, "AccessDenied", DENIED_PATTERN, group=other)
    shared = denied("ListUsers", NOW - timedelta(minutes=2))
    put(logs, shared)
    put(logs, shared, denied("ListRoles", NOW - timedelta(minutes=1)), group=other)

    events = lookup(logs, group="")

    assert [e.event_name for e in events] == ["ListUsers", "ListRoles"]
