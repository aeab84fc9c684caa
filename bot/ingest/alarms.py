"""Completing a CloudWatch alarm's alert: the log events that tripped its metric filter."""

from __future__ import annotations

from bot.alerts import cloudwatch
from bot.aws.logs import alarm_events
from bot.aws.sessions import Sessions
from bot.config import Settings
from bot.ingest.pipeline import AlarmCompleter
from bot.models import Alert


def alarm_completer(sessions: Sessions, settings: Settings) -> AlarmCompleter:
    """An alarm carries no detail; look up who and from where in the alarm's own window."""

    def complete(alert: Alert) -> Alert:
        window = cloudwatch.window(alert)
        log_group = settings.cloudtrail_log_group
        if window is None or not log_group:
            note = "set KEYCHECK_CLOUDTRAIL_LOG_GROUP to see the events behind this alarm"
            return alert.model_copy(update={"details": {**alert.details, "lookup": note}})
        events = alarm_events(
            sessions.own_client("logs", region=alert.region or ""),
            log_group=log_group,
            metric_name=alert.details.get("metric_name", ""),
            namespace=alert.details.get("namespace", ""),
            start=window[0],
            end=window[1],
        )
        return cloudwatch.with_events(alert, events)

    return complete
