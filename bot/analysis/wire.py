"""A delivery's record decoded straight into an event's fields, without a dict in between.

A busy key's day is 100,000 records, each kept: building a dict of every field of every
record and then reading a few of them back was most of `keycheck analyze`'s time. Here
msgspec reads only the fields an event has, typed, in C. A record this shape does not fit
(a field of another type, a time that is not RFC 3339, no eventID, no key under its usual
name) returns None and takes the general way, `records.event_fields`, with the same result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from bot.analysis.records import mfa_flag, scrubbed

Fields = dict[str, Any]
_Object = dict[str, Any] | None


# Fields are named as CloudTrail writes them: msgspec matches them by name.
class _Session(msgspec.Struct):
    attributes: _Object = None
    sessionIssuer: _Object = None


class _Identity(msgspec.Struct):
    type: str = ""
    arn: str = ""
    accountId: str = ""
    accessKeyId: str = ""
    userName: str = ""
    invokedBy: str = ""
    sessionContext: _Session | None = None


class _Record(msgspec.Struct):
    eventID: str = ""
    eventTime: datetime | None = None
    timestamp: datetime | None = msgspec.field(default=None, name="@timestamp")
    awsRegion: str = ""
    eventSource: str = ""
    eventName: str = ""
    eventType: str = ""
    sourceIPAddress: str = ""
    userAgent: str = ""
    errorCode: str = ""
    errorMessage: str = ""
    recipientAccountId: str = ""
    readOnly: bool | None = None
    userIdentity: _Identity | None = None
    requestParameters: _Object = None
    responseElements: _Object = None
    additionalEventData: _Object = None


_DECODER = msgspec.json.Decoder(_Record)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def wire_fields(raw: bytes | msgspec.Raw) -> Fields | None:
    """The event's fields of one raw delivery record, as `event_fields` makes them; None
    when the record must take that general way instead."""
    try:
        record = _DECODER.decode(raw)
    except msgspec.DecodeError:  # a field of another type; or a lone surrogate, a huge number
        return None
    identity = record.userIdentity
    if identity is None or not identity.accessKeyId or not record.eventID:
        return None
    context = identity.sessionContext
    extra = record.additionalEventData or {}
    issuer = (context.sessionIssuer or {}) if context else {}
    return {
        "event_id": record.eventID,
        "time": _utc(record.eventTime or record.timestamp),
        "region": record.awsRegion,
        "event_source": record.eventSource,
        "event_name": record.eventName,
        "event_type": record.eventType,
        "access_key_id": identity.accessKeyId,
        "source_ip": record.sourceIPAddress,
        "user_agent": record.userAgent,
        "error_code": record.errorCode,
        "error_message": record.errorMessage,
        "account_id": identity.accountId,
        "recipient_account_id": record.recipientAccountId,
        "principal_arn": identity.arn,
        "principal_type": identity.type,
        "user_name": identity.userName or str(issuer.get("userName") or ""),
        "invoked_by": identity.invokedBy,
        "mfa_authenticated": mfa_flag((context.attributes if context else None) or {}, extra),
        "read_only": record.readOnly,
        "request_parameters": record.requestParameters or {},
        "response_elements": scrubbed(record.responseElements),
        "additional_event_data": extra,
    }
