"""A CloudTrail record, raw or as an EventBridge event's detail, into an Alert."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.alerts import keyid, severity
from bot.alerts.fields import MalformedPayload, account_id, text, when
from bot.alerts.infer import infer
from bot.alerts.raw import raw_json, scrub
from bot.analysis.records import content_id, event_from_record
from bot.models import Alert, AlertKind, TimelineEvent

UUID = re.compile(
    r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DETAIL_CHARS = 500


def looks_like_record(payload: dict[str, Any]) -> bool:
    """CloudTrail's shape, and not S3's event notifications, which also come in 'Records'."""
    source = text(payload, "eventSource")
    return bool(text(payload, "eventName")) and (
        source.endswith(".amazonaws.com") or isinstance(payload.get("userIdentity"), dict)
    )


def dedup_key(record: dict[str, Any]) -> str:
    """One API call = one alert, whether it came raw or through EventBridge.

    CloudTrail's eventID is a UUID unique per event; when it is missing or is not one
    (test data reuses "1"), the record's content stands in.
    """
    event_id = text(record, "eventID")
    return f"cloudtrail:{event_id if UUID.match(event_id) else content_id(record)}"


def build(
    record: dict[str, Any],
    *,
    kind: AlertKind,
    fallback: dict[str, str],
    details: dict[str, str] | None = None,
) -> Alert:
    """The Alert for one record; fallback holds the envelope's account, region and time."""
    if not text(record, "eventName"):
        raise MalformedPayload("no eventName")
    event = event_from_record(record)
    key, note = keyid.clean(event.access_key_id)
    event = replace(
        event,
        access_key_id=key,
        request_parameters=scrub(event.request_parameters),
        response_elements=scrub(event.response_elements),
    )
    rule, title = infer(event, from_rule=kind is AlertKind.CLOUDTRAIL_API_CALL)
    occurred = event.time if event.time != NO_TIME else None
    return Alert(
        dedup_key=dedup_key(record),
        kind=kind,
        title=title,
        occurred_at=occurred or _fallback_time(fallback),
        severity=severity.for_rule(kind, str(rule)),
        account_id=_account(event, key, fallback),
        region=event.region or fallback.get("region", ""),
        rule=str(rule),
        event_source=event.event_source,
        event_name=event.event_name,
        error_code=event.error_code,
        access_key_id=key,
        principal_arn=event.principal_arn,
        principal_type=event.principal_type,
        user_name=event.user_name,
        source_ip=event.source_ip,
        user_agent=event.user_agent,
        details={**_details(event), **(details or {}), **keyid.join_notes(note)},
        events=[event],
        raw=raw_json(record),
    )


def parse(payload: dict[str, Any], *, message_id: str) -> Alert:
    """A raw CloudTrail record (from a log file, a Records batch or a direct publish)."""
    return build(payload, kind=AlertKind.CLOUDTRAIL_RECORD, fallback={})


def _account(event: TimelineEvent, key: str, fallback: dict[str, str]) -> str:
    """The key's own account when a key acted (containment happens there), else where it ran."""
    owner = event.account_id if key else ""
    return account_id(
        owner, event.recipient_account_id, event.account_id, fallback.get("account", "")
    )


def _fallback_time(fallback: dict[str, str]) -> datetime | None:
    return when(fallback.get("time"))


def _details(event: TimelineEvent) -> dict[str, str]:
    details = {"event_id": event.event_id}
    if event.error_message:
        details["error_message"] = event.error_message[:MAX_DETAIL_CHARS]
    if event.recipient_account_id and event.recipient_account_id != event.account_id:
        details["recipient_account_id"] = event.recipient_account_id
    if event.mfa_authenticated is not None:
        details["mfa"] = "yes" if event.mfa_authenticated else "no"
    outcome = event.response_elements.get("ConsoleLogin")
    if isinstance(outcome, str):
        details["console_login"] = outcome
    if event.invoked_by:
        details["invoked_by"] = event.invoked_by
    return details
