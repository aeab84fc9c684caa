"""Unwrapping what SQS or POST /sns hands us into the payloads inside, one per alert source."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.alerts import sns_message, tidy
from bot.errors import BadEnvelope


class DeliveryKind(StrEnum):
    SNS = "sns"  # an SNS Notification wrapper: SNS→SQS without raw delivery, or HTTPS
    RAW = "raw"  # the message itself: SNS raw delivery, EventBridge→SQS, a direct send
    SNS_SUBSCRIPTION = "sns-subscription-confirmation"
    SNS_UNSUBSCRIBE = "sns-unsubscribe-confirmation"


CONFIRMATIONS = {
    "SubscriptionConfirmation": DeliveryKind.SNS_SUBSCRIPTION,
    "UnsubscribeConfirmation": DeliveryKind.SNS_UNSUBSCRIBE,
}


class Envelope(BaseModel):
    """One payload to parse, with what the transport said about it.

    payload is the inner JSON object; text holds the inner message instead when it is not one.
    message_id is the SNS MessageId, or for raw deliveries a hash of the body, so that a
    redelivery of the same body has the same id; records of a batch get '#<index>'.
    problem says why a JSON payload was not kept as one (it is then in text).
    """

    model_config = ConfigDict(frozen=True)

    kind: DeliveryKind
    message_id: str
    payload: dict[str, Any] = Field(default_factory=dict)
    text: str = ""
    topic_arn: str = ""
    subject: str = ""
    problem: str = ""


def load(body: str | bytes, *, max_bytes: int) -> Any:
    """The body as JSON; BadEnvelope for oversize, empty or non-JSON bodies."""
    data = body.encode() if isinstance(body, str) else body
    if len(data) > max_bytes:
        raise BadEnvelope(f"Message body is {len(data)} bytes, over the {max_bytes}-byte limit.")
    if not data.strip():
        raise BadEnvelope("Message body is empty.")
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise BadEnvelope(
            f"Message body is not JSON ({error.msg} at line {error.lineno} column {error.colno})."
        ) from None
    except (ValueError, RecursionError) as error:
        raise BadEnvelope(f"Message body is not JSON ({type(error).__name__}).") from None


def unwrap(body: str | bytes, *, max_bytes: int) -> list[Envelope]:
    """Every payload in an SQS message body or an SNS HTTPS POST body."""
    data = body.encode() if isinstance(body, str) else body
    return unwrap_message(load(data, max_bytes=max_bytes), body_id=body_hash(data))


def unwrap_message(message: Any, *, body_id: str) -> list[Envelope]:
    """Like unwrap, for a body already loaded (POST /sns verifies the signature first)."""
    if not tidy.too_deep(message):
        message = tidy.clean(message)
    if sns_message.is_sns(message):
        return _from_sns(message)
    return _expand(message, kind=DeliveryKind.RAW, message_id=body_id)


def body_hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:32]


def _from_sns(message: dict[str, Any]) -> list[Envelope]:
    sns = sns_message.read(message)
    message_id, topic_arn = tidy.text(sns.message_id), tidy.text(sns.topic_arn)
    if sns.type in CONFIRMATIONS:
        kind = CONFIRMATIONS[sns.type]
        return [_one(message, kind=kind, message_id=message_id, topic_arn=topic_arn)]
    meta = {"topic_arn": topic_arn, "subject": tidy.text(sns.subject or "")}
    try:
        inner = json.loads(sns.message)
    except (ValueError, RecursionError):
        return [
            Envelope(
                kind=DeliveryKind.SNS,
                message_id=message_id,
                text=tidy.text(sns.message),
                **meta,
            )
        ]
    return _expand(inner, kind=DeliveryKind.SNS, message_id=message_id, **meta)


def _expand(value: Any, *, kind: DeliveryKind, message_id: str, **meta: str) -> list[Envelope]:
    """A CloudTrail 'Records' batch (or a bare JSON list) is one payload per element."""
    batch = value.get("Records") if isinstance(value, dict) else value
    if isinstance(batch, list) and batch:
        return [
            _one(item, kind=kind, message_id=f"{message_id}#{index}", **meta)
            for index, item in enumerate(batch)
        ]
    return [_one(value, kind=kind, message_id=message_id, **meta)]


def _one(value: Any, *, kind: DeliveryKind, message_id: str, **meta: str) -> Envelope:
    """One payload; one too deep to store is handed on as text, to become unrecognised."""
    if tidy.too_deep(value):
        problem = f"nested deeper than {tidy.MAX_DEPTH} levels"
        return Envelope(
            kind=kind, message_id=message_id, text=tidy.flat(value), problem=problem, **meta
        )
    value = tidy.clean(value)
    if isinstance(value, dict):
        return Envelope(kind=kind, message_id=message_id, payload=value, **meta)
    return Envelope(kind=kind, message_id=message_id, text=json.dumps(value), **meta)
