"""From a message body to Alerts: unwrap the transport, then dispatch each payload by shape.

The rule for bad input:

* The transport must be intact. A body over the size cap, empty, not JSON, or claiming
  to be an SNS message while missing (or mistyping) the fields SNS always sends, raises
  `BadEnvelope`: nothing is stored, the caller counts it and answers 4xx (HTTP) or leaves
  the message to the queue's redrive policy (SQS).
* Everything inside an intact transport becomes at least one Alert. Well-formed JSON we
  cannot classify is an UNRECOGNISED alert; so is a known shape (EventBridge event,
  GuardDuty finding, Health event, alarm, CloudTrail record) missing what its parser needs
  or holding the wrong types, titled with what was wrong. Both are stored and posted with
  their raw JSON: an alert is never dropped because we could not read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from bot.alerts import cloudtrail, cloudwatch, eventbridge, guardduty, health, unrecognised
from bot.alerts.envelope import Envelope, body_hash, unwrap
from bot.alerts.fields import MalformedPayload
from bot.models import Alert

log = logging.getLogger(__name__)


class Shape(StrEnum):
    CLOUDTRAIL_EVENT = "EventBridge CloudTrail event"
    GUARDDUTY = "GuardDuty finding"
    HEALTH = "AWS Health event"
    ALARM = "CloudWatch alarm notification"
    CLOUDTRAIL_RECORD = "CloudTrail record"
    UNKNOWN = "unknown"


Parser = Callable[[dict[str, Any], str], list[Alert]]

PARSERS: dict[Shape, Parser] = {
    Shape.CLOUDTRAIL_EVENT: lambda p, m: [eventbridge.parse(p, message_id=m)],
    Shape.GUARDDUTY: lambda p, m: [guardduty.parse(p, message_id=m)],
    Shape.HEALTH: lambda p, m: health.parse(p, message_id=m),
    Shape.ALARM: lambda p, m: [cloudwatch.parse(p, message_id=m)],
    Shape.CLOUDTRAIL_RECORD: lambda p, m: [cloudtrail.parse(p, message_id=m)],
    Shape.UNKNOWN: lambda p, m: [unrecognised.parse(p, message_id=m)],
}


def classify(payload: dict[str, Any]) -> Shape:
    if eventbridge.is_cloudtrail_event(payload):
        return Shape.CLOUDTRAIL_EVENT
    if guardduty.is_finding(payload):
        return Shape.GUARDDUTY
    if health.is_health(payload):
        return Shape.HEALTH
    if cloudwatch.is_alarm(payload):
        return Shape.ALARM
    if cloudtrail.looks_like_record(payload):
        return Shape.CLOUDTRAIL_RECORD
    return Shape.UNKNOWN


def parse(payload: dict[str, Any], *, message_id: str) -> list[Alert]:
    """Every Alert in one payload; a known shape we cannot read becomes UNRECOGNISED."""
    shape = classify(payload)
    try:
        return PARSERS[shape](payload, message_id)
    except MalformedPayload as error:
        reason = f"{shape}: {error}"
    except (TypeError, ValueError, AttributeError, LookupError, ArithmeticError, OSError) as error:
        reason = f"{shape}: {type(error).__name__} while reading it"
        log.warning("parsing a %s failed", shape, exc_info=True)
    return [unrecognised.parse(payload, message_id=message_id, reason=reason)]


def parse_envelope(envelope: Envelope) -> list[Alert]:
    message_id = envelope.message_id or body_hash(envelope.text.encode())
    if envelope.problem:
        return [unrecognised.from_text(envelope.text, message_id=message_id, why=envelope.problem)]
    if envelope.payload or not envelope.text:
        return parse(envelope.payload, message_id=message_id)
    return [unrecognised.from_text(envelope.text, message_id=message_id)]


def parse_body(body: str | bytes, *, max_bytes: int) -> list[Alert]:
    """Every Alert in an SQS message body or an SNS HTTPS POST body; BadEnvelope if refused."""
    return [
        alert
        for envelope in unwrap(body, max_bytes=max_bytes)
        for alert in parse_envelope(envelope)
    ]
