"""A delivery's record decoded straight into an event, without a dict in between.

A busy key's day is 100,000 records, each kept: building a dict of every field of every
record and then reading a few of them back was most of `keycheck analyze`'s time. Here
msgspec reads only the fields an event has, typed, in C. A record this shape does not fit
(a field of another type, a time that is not RFC 3339 or none at all, no eventID, no key
under its usual name) returns None and takes the general way,
`records.event_from_record`, with the same result.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import msgspec

from bot.analysis.records import mfa_flag, scrubbed
from bot.events import TimelineEvent, in_utc

_Object = dict[str, Any] | None


# Fields are named as CloudTrail writes them: msgspec matches them by name.
class _Session(msgspec.Struct, gc=False):
    attributes: _Object = None
    sessionIssuer: _Object = None


class _Identity(msgspec.Struct, gc=False):
    type: str = ""
    arn: str = ""
    accountId: str = ""
    accessKeyId: str = ""
    userName: str = ""
    invokedBy: str = ""
    sessionContext: _Session | None = None


class _Record(msgspec.Struct, gc=False):
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


def wire_event(raw: bytes | msgspec.Raw) -> TimelineEvent | None:
    """The event of one raw delivery record, as `event_from_record` makes it; None when the
    record must take that general way instead."""
    try:
        record = _DECODER.decode(raw)
    except msgspec.DecodeError:  # a field of another type; or a lone surrogate, a huge number
        return None
    identity, moment = record.userIdentity, record.eventTime or record.timestamp
    if identity is None or not identity.accessKeyId or not record.eventID or moment is None:
        return None
    context = identity.sessionContext
    extra = record.additionalEventData or {}
    issuer = (context.sessionIssuer or {}) if context else {}
    attributes = (context.attributes or {}) if context else {}
    elements, shared = record.responseElements, sys.intern  # texts shared as records.py does
    return TimelineEvent(
        event_id=record.eventID,
        time=in_utc(moment),
        region=shared(record.awsRegion),
        event_source=shared(record.eventSource),
        event_name=shared(record.eventName),
        event_type=shared(record.eventType),
        access_key_id=shared(identity.accessKeyId),
        source_ip=shared(record.sourceIPAddress),
        user_agent=shared(record.userAgent),
        error_code=shared(record.errorCode),
        error_message=shared(record.errorMessage),
        account_id=shared(identity.accountId),
        recipient_account_id=shared(record.recipientAccountId),
        principal_arn=shared(identity.arn),
        principal_type=shared(identity.type),
        user_name=shared(identity.userName or str(issuer.get("userName") or "")),
        invoked_by=shared(identity.invokedBy),
        mfa_authenticated=mfa_flag(attributes, extra),
        read_only=record.readOnly,
        request_parameters=record.requestParameters or {},
        response_elements=scrubbed(elements) if elements else {},
        additional_event_data=extra,
    )
