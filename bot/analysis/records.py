"""CloudTrail records (the JSON AWS writes) into TimelineEvents."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import msgspec

from bot.models import TimelineEvent

# Where STS, IAM, SSO and Cognito put credentials in responseElements; in them, any field
# named like a secret or a token is dropped (sessionToken, secretAccessKey, SecretKey, ...).
CREDENTIAL_BLOCKS = ("credentials", "accessKey", "roleCredentials", "Credentials")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_time(value: object) -> datetime:
    """CloudTrail's eventTime ('2024-01-01T00:00:00Z'); a missing or bad one sorts first."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (ValueError, OverflowError, OSError):  # an epoch past year 9999
            return datetime(1970, 1, 1, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def content_id(record: dict[str, Any]) -> str:
    """A stable id from the record's content, for records whose eventID is missing or reused."""
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


def _principal(identity: dict[str, Any]) -> tuple[str, str]:
    """(arn, user name): the session issuer's name for assumed roles, else the user's."""
    issuer = _dict(_dict(identity.get("sessionContext")).get("sessionIssuer"))
    name = identity.get("userName") or issuer.get("userName") or ""
    return str(identity.get("arn", "")), str(name)


def _key_id(identity: dict[str, Any]) -> str:
    """userIdentity.accessKeyId; some exporters lower-case the field name (Panther's samples do)."""
    if "accessKeyId" in identity:
        return str(identity["accessKeyId"] or "")
    for name, value in identity.items():
        if name.lower() == "accesskeyid":
            return str(value or "")
    return ""


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return "secret" in lowered or "token" in lowered


def _scrubbed(value: object) -> dict[str, Any]:
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


def _mfa(identity: dict[str, Any], extra: dict[str, Any]) -> bool | None:
    attributes = _dict(_dict(identity.get("sessionContext")).get("attributes"))
    flag = attributes.get("mfaAuthenticated", extra.get("MFAUsed"))
    if flag is None:
        return None
    return str(flag).lower() in {"true", "yes"}


def event_from_record(record: dict[str, Any]) -> TimelineEvent:
    """Flatten one CloudTrail record; every field is optional because real records vary."""
    return TimelineEvent.model_validate(event_fields(record))


def event_fields(record: dict[str, Any]) -> dict[str, Any]:
    """A TimelineEvent's fields from one record, as plain values that can cross processes."""
    identity = _dict(record.get("userIdentity"))
    extra = _dict(record.get("additionalEventData"))
    arn, user_name = _principal(identity)
    read_only = record.get("readOnly")
    return dict(
        event_id=str(record.get("eventID") or content_id(record)),
        time=parse_time(record.get("eventTime")),
        region=str(record.get("awsRegion", "")),
        event_source=str(record.get("eventSource", "")),
        event_name=str(record.get("eventName", "")),
        event_type=str(record.get("eventType", "")),
        access_key_id=_key_id(identity),
        source_ip=str(record.get("sourceIPAddress", "")),
        user_agent=str(record.get("userAgent", "")),
        error_code=str(record.get("errorCode", "")),
        error_message=str(record.get("errorMessage", "")),
        account_id=str(identity.get("accountId", "")),
        recipient_account_id=str(record.get("recipientAccountId", "")),
        principal_arn=arn,
        principal_type=str(identity.get("type", "")),
        user_name=user_name,
        invoked_by=str(identity.get("invokedBy", "")),
        mfa_authenticated=_mfa(identity, extra),
        read_only=read_only if isinstance(read_only, bool) else None,
        request_parameters=_dict(record.get("requestParameters")),
        response_elements=_scrubbed(record.get("responseElements")),
        additional_event_data=extra,
    )
