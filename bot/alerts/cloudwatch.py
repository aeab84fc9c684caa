"""CloudWatch alarm notifications: which alarm fired, and where to look for why."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Final

from bot.alerts import keyid, regions, severity
from bot.alerts.fields import MalformedPayload, account_id, number, obj, require, text, when
from bot.alerts.raw import raw_json, scrub
from bot.models import Alert, AlertKind, RuleId, TimelineEvent

NAMESPACE: Final = "keycheck"
METRIC_RULES: Final[dict[str, tuple[RuleId, str]]] = {
    "AccessDenied": (RuleId.ACCESS_DENIED, "Access denied calls"),
    "RootUsage": (RuleId.ROOT_USAGE, "Root account used"),
    "ConsoleLoginNoMfa": (RuleId.CONSOLE_LOGIN_NO_MFA, "Console sign-in without MFA"),
    "LoggingTampering": (RuleId.DEFENSE_EVASION_LOGGING, "Logging tampered with"),
}
DEFAULT_PERIOD = 300
MAX_REASON_CHARS = 500


def is_alarm(payload: dict[str, Any]) -> bool:
    return "AlarmName" in payload and ("NewStateValue" in payload or "Trigger" in payload)


def parse(payload: dict[str, Any], *, message_id: str) -> Alert:
    """An alarm carries no event: the Alert records the metric and window to look them up in.

    One alarm transition is one alert: dedup by the alarm and its StateChangeTime.
    """
    name = require(payload, "AlarmName")
    changed = when(payload.get("StateChangeTime"))
    if changed is None:
        raise MalformedPayload("no StateChangeTime")
    trigger = obj(payload.get("Trigger"))
    metric, namespace = text(trigger, "MetricName"), text(trigger, "Namespace")
    rule, label = METRIC_RULES.get(metric, (None, "")) if namespace == NAMESPACE else (None, "")
    state = text(payload, "NewStateValue")
    arn = text(payload, "AlarmArn")
    start, period, periods = _window(trigger, changed)
    recovered = state == "OK"
    return Alert(
        dedup_key=f"cloudwatch:{arn or name}:{changed.isoformat()}",
        kind=AlertKind.CLOUDWATCH_ALARM,
        title=_title(name, label, state),
        occurred_at=changed,
        severity=severity.ALARM_RECOVERED
        if recovered
        else severity.for_rule(AlertKind.CLOUDWATCH_ALARM, str(rule or "")),
        account_id=account_id(text(payload, "AWSAccountId"), regions.account_from_arn(arn)),
        region=regions.from_arn(arn) or regions.BY_NAME.get(text(payload, "Region"), ""),
        rule=str(rule or name),
        details={
            "alarm_name": name,
            "alarm_arn": arn,
            "state": state,
            "previous_state": text(payload, "OldStateValue"),
            "reason": text(payload, "NewStateReason")[:MAX_REASON_CHARS],
            "metric_name": metric,
            "namespace": namespace,
            "period": str(period),
            "evaluation_periods": str(periods),
            "window_start": start.isoformat(),
            "window_end": changed.isoformat(),
        },
        raw=raw_json(payload),
    )


def window(alert: Alert) -> tuple[datetime, datetime] | None:
    """The alarm's look-up window back from an Alert, for the log lookup."""
    start, end = when(alert.details.get("window_start")), when(alert.details.get("window_end"))
    return (start, end) if start and end else None


def with_events(alert: Alert, events: list[TimelineEvent]) -> Alert:
    """The alarm's alert completed from the log events behind it: who and from where.

    The first event names the key, principal and IP (the card has one of each); the others
    are kept in events, and keys they name beyond the first are listed in the details.
    """
    cleaned = [_clean(event) for event in events]
    details = {**alert.details, "events_found": str(len(cleaned))}
    if not cleaned:
        return alert.model_copy(update={"details": details})
    first = cleaned[0]
    keys = dict.fromkeys(e.access_key_id for e in cleaned if e.access_key_id)
    others = [key for key in keys if key != first.access_key_id]
    if others:
        details["other_keys"] = ", ".join(others)[:300]
    return alert.model_copy(
        update={
            "events": cleaned,
            "access_key_id": first.access_key_id,
            "principal_arn": first.principal_arn,
            "principal_type": first.principal_type,
            "user_name": first.user_name,
            "source_ip": first.source_ip,
            "user_agent": first.user_agent,
            "event_source": first.event_source,
            "event_name": first.event_name,
            "error_code": first.error_code,
            "account_id": alert.account_id or first.account_id,
            "region": alert.region or first.region,
            "details": details,
        }
    )


def _clean(event: TimelineEvent) -> TimelineEvent:
    key, _ = keyid.clean(event.access_key_id)
    return replace(
        event,
        access_key_id=key,
        request_parameters=scrub(event.request_parameters),
        response_elements=scrub(event.response_elements),
    )


def _window(trigger: dict[str, Any], changed: datetime) -> tuple[datetime, int, int]:
    """StateChangeTime minus Period x EvaluationPeriods, floored to a period boundary.

    Datapoints are aligned to period boundaries, so the first evaluated period starts on
    one; without the floor, events early in that period would be missed.
    """
    period = int(number(trigger.get("Period")) or DEFAULT_PERIOD)
    periods = int(number(trigger.get("EvaluationPeriods")) or 1)
    period, periods = max(period, 1), max(periods, 1)
    start = changed - timedelta(seconds=period * periods)
    floored = int(start.timestamp()) // period * period
    return start - timedelta(seconds=start.timestamp() - floored), period, periods


def _title(name: str, label: str, state: str) -> str:
    what = f"{label} (alarm {name})" if label else f"Alarm {name}"
    if state == "OK":
        return f"{what} is back to OK"
    if state == "INSUFFICIENT_DATA":
        return f"{what} has insufficient data"
    return what
