"""CloudWatch Logs: the CloudTrail events behind a metric-filter alarm, which carries none."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.analysis.records import event_from_record
from bot.aws.retry import aws_retry
from bot.models import TimelineEvent

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

MAX_PAGES = 20


@aws_retry()
def describe_metric_filters(
    logs: CloudWatchLogsClient, *, metric_name: str, namespace: str
) -> list[dict[str, Any]]:
    """Every metric filter that feeds this metric, with its log group and pattern."""
    filters: list[dict[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"metricName": metric_name, "metricNamespace": namespace}
        if token:
            kwargs["nextToken"] = token
        response = logs.describe_metric_filters(**kwargs)
        filters += [dict(f) for f in response.get("metricFilters", [])]
        token = response.get("nextToken", "")
        if not token:
            break
    return filters


@aws_retry()
def filter_log_events(
    logs: CloudWatchLogsClient,
    *,
    log_group: str,
    pattern: str,
    start: datetime,
    end: datetime,
    limit: int,
    token: str = "",
) -> tuple[list[str], str]:
    """One page of matching messages, and the token for the next page ('' at the end)."""
    kwargs: dict[str, Any] = {
        "logGroupName": log_group,
        "filterPattern": pattern,
        "startTime": int(start.timestamp() * 1000),
        "endTime": int(end.timestamp() * 1000),
        "limit": limit,
    }
    if token:
        kwargs["nextToken"] = token
    response = logs.filter_log_events(**kwargs)
    messages = [e.get("message", "") for e in response.get("events", [])]
    return messages, response.get("nextToken", "")


def alarm_events(
    logs: CloudWatchLogsClient,
    *,
    log_group: str,
    metric_name: str,
    namespace: str,
    start: datetime,
    end: datetime,
    limit: int = 50,
) -> list[TimelineEvent]:
    """The CloudTrail events that tripped an alarm's metric filter in the alarm's window.

    Runs the filter's own pattern on the filter's own log group; when several filters feed
    the metric, those on log_group (the configured CloudTrail group) are preferred. Returns
    at most limit events, oldest first; [] when no filter feeds the metric.
    """
    filters = describe_metric_filters(logs, metric_name=metric_name, namespace=namespace)
    preferred = [f for f in filters if f.get("logGroupName") == log_group] or filters
    events: dict[str, TimelineEvent] = {}
    for metric_filter in preferred:
        for message in _messages(logs, metric_filter, start, end, limit - len(events)):
            event = _event(message)
            if event is not None:
                events.setdefault(event.event_id, event)
        if len(events) >= limit:
            break
    return sorted(events.values(), key=lambda e: e.time)[:limit]


def _messages(
    logs: CloudWatchLogsClient,
    metric_filter: dict[str, Any],
    start: datetime,
    end: datetime,
    limit: int,
) -> list[str]:
    messages: list[str] = []
    token = ""
    for _ in range(MAX_PAGES):
        if len(messages) >= limit:
            break
        page, token = filter_log_events(
            logs,
            log_group=str(metric_filter.get("logGroupName", "")),
            pattern=str(metric_filter.get("filterPattern", "")),
            start=start,
            end=end,
            limit=limit - len(messages),
            token=token,
        )
        messages += page
        if not token:
            break
    return messages[:limit]


def _event(message: str) -> TimelineEvent | None:
    """CloudTrail writes one JSON record per log event; anything else is not ours to show."""
    try:
        record = json.loads(message)
    except (ValueError, RecursionError):
        return None
    return event_from_record(record) if isinstance(record, dict) else None
