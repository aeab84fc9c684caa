"""CloudTrail records (the JSON AWS writes) into TimelineEvents."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import msgspec

from bot.events import TimelineEvent, in_utc

# Where STS, IAM, SSO and Cognito put credentials in responseElements; in them, any field
# named like a secret or a token is dropped (sessionToken, secretAccessKey, SecretKey, ...).
CREDENTIAL_BLOCKS = ("credentials", "accessKey", "roleCredentials", "Credentials")
# Where a record says when it happened, in the order they are believed.
TIME_FIELDS = ("eventTime", "@timestamp")
# The time given to an event that must have one but whose record had none readable.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read_time(value: object) -> datetime | None:
    """An ISO 8601 time (CloudTrail's '2024-01-01T00:00:00Z', a shipper's '...00.000Z', RFC
    3339's lower-case 't' and 'z', any offset), epoch seconds or a datetime, in UTC; None
    when it is none of them."""
    if isinstance(value, datetime):
        return in_utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return in_utc(parsed)


def record_time(record: dict[str, Any]) -> datetime | None:
    """When the record's call was made: CloudTrail's eventTime, else the `@timestamp` that log
    shippers (Logstash, OpenSearch, Elastic) write instead; None when neither reads."""
    for name in TIME_FIELDS:
        moment = read_time(record.get(name))
        if moment is not None:
            return moment
    return None


def parse_time(value: object) -> datetime:
    """A time where one must be: an unreadable one is UNDATED, which sorts first."""
    return read_time(value) or UNDATED


def content_id(record: dict[str, Any]) -> str:
    """A stable id from the record's content, for records whose eventID is missing or reused."""
    import hashlib  # here: loading OpenSSL is start-up that records with ids never need

    blob = json.dumps(record, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()[:32]


def _standard_json(text: str) -> object:
    """What msgspec refuses but the standard library reads; None when neither can."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def record_from_lookup(item: dict[str, Any]) -> dict[str, Any]:
    """The record inside a LookupEvents item; its summary fields when that is unreadable."""
    text = item.get("CloudTrailEvent")
    record: object = None
    try:
        record = msgspec.json.decode(text) if isinstance(text, str) else None
    except (msgspec.ValidationError, UnicodeEncodeError):  # past 64 bits, a lone surrogate
        record = _standard_json(str(text))
    except msgspec.DecodeError:
        record = None
    if isinstance(record, dict):
        if record_time(record) is None and "EventTime" in item:
            return {**record, "eventTime": item["EventTime"]}
        return record
    return {
        "eventID": item.get("EventId", ""),
        "eventName": item.get("EventName", ""),
        "eventSource": item.get("EventSource", ""),
        "eventTime": item.get("EventTime"),
        "userIdentity": {
            "accessKeyId": item.get("AccessKeyId", ""),
            "userName": item.get("Username", ""),
        },
    }


def _text(value: object) -> str:
    """A field as text, shared: an event's dozen texts (key, region, call, address, agent,
    principal) repeat across most records, and a busy key's 100,000 events held 1,456 bytes
    each with a copy apiece, 670 with one string for all. A JSON null reads as empty."""
    return "" if value is None else sys.intern(str(value))


def _key_id(identity: dict[str, Any]) -> str:
    """userIdentity.accessKeyId; some exporters lower-case the field name (Panther's samples do)."""
    if "accessKeyId" in identity:
        return _text(identity["accessKeyId"] or "")
    for name, value in identity.items():
        if name.lower() == "accesskeyid":
            return _text(value or "")
    return ""


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return "secret" in lowered or "token" in lowered


def scrubbed(value: object) -> dict[str, Any]:
    """responseElements without session tokens or secrets: they must never reach a file or Slack."""
    elements = _dict(value)
    if not elements:
        return {}
    clean = dict(elements)
    for name in CREDENTIAL_BLOCKS:
        inner = _dict(clean.get(name))
        if inner:
            clean[name] = {k: v for k, v in inner.items() if not _is_secret(k)}
    return clean


def event_from_record(record: dict[str, Any]) -> TimelineEvent:
    """Flatten one CloudTrail record; every field is optional because real records vary.

    A record without a readable time is dated UNDATED here; a sweep of files leaves such
    records out of the timeline and counts them instead (`event_fields`).
    """
    fields = event_fields(record)
    return TimelineEvent(**{**fields, "time": fields["time"] or UNDATED})


def event_fields(record: dict[str, Any]) -> dict[str, Any]:
    """A TimelineEvent's fields from one record, as plain values that can cross processes;
    `time` is None when the record has no readable time.

    Written flat, with one look-up per field: it runs once per record kept, 100,000 times
    for a busy key's day.
    """
    get = record.get
    identity, extra = _dict(get("userIdentity")), _dict(get("additionalEventData"))
    context = _dict(identity.get("sessionContext"))
    read_only = get("readOnly")
    return {
        "event_id": str(get("eventID") or content_id(record)),
        "time": record_time(record),
        "region": _text(get("awsRegion")),
        "event_source": _text(get("eventSource")),
        "event_name": _text(get("eventName")),
        "event_type": _text(get("eventType")),
        "access_key_id": _key_id(identity),
        "source_ip": _text(get("sourceIPAddress")),
        "user_agent": _text(get("userAgent")),
        "error_code": _text(get("errorCode")),
        "error_message": _text(get("errorMessage")),
        "account_id": _text(identity.get("accountId")),
        "recipient_account_id": _text(get("recipientAccountId")),
        "principal_arn": _text(identity.get("arn")),
        "principal_type": _text(identity.get("type")),
        "user_name": _user_name(identity, context),
        "invoked_by": _text(identity.get("invokedBy")),
        "mfa_authenticated": mfa_flag(_dict(context.get("attributes")), extra),
        "read_only": read_only if isinstance(read_only, bool) else None,
        "request_parameters": _dict(get("requestParameters")),
        "response_elements": scrubbed(get("responseElements")),
        "additional_event_data": extra,
    }


def _user_name(identity: dict[str, Any], context: dict[str, Any]) -> str:
    """The user's name; for an assumed role, its session issuer's."""
    name = identity.get("userName")
    if not name:
        name = _dict(context.get("sessionIssuer")).get("userName")
    return _text(name or "")


def mfa_flag(attributes: dict[str, Any], extra: dict[str, Any]) -> bool | None:
    """Whether the session had MFA: its attributes say so, or a console sign-in's data."""
    flag = attributes.get("mfaAuthenticated", extra.get("MFAUsed"))
    if flag is None:
        return None
    return str(flag).lower() in {"true", "yes"}
