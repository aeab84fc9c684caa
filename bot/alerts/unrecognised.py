"""Anything we cannot read still becomes an alert: stored, posted, raw JSON attached."""

from __future__ import annotations

from typing import Any

from bot.alerts import severity
from bot.alerts.fields import account_id, items, text
from bot.alerts.raw import raw_json, raw_text
from bot.domain.keys import KEY_ID_IN_TEXT
from bot.models import Alert, AlertKind

SNS_TYPES = frozenset({"Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"})
MAX_KEYS_SHOWN = 6


def parse(payload: dict[str, Any], *, message_id: str, reason: str = "") -> Alert:
    """reason: why a known shape was not parsed (e.g. 'GuardDuty finding: no detail.id')."""
    raw = raw_json(payload)
    return Alert(
        dedup_key=f"unrecognised:{message_id}",
        kind=AlertKind.UNRECOGNISED,
        title=f"Malformed {reason}" if reason else f"Unrecognised alert: {describe(payload)}",
        severity=severity.for_rule(AlertKind.UNRECOGNISED),
        account_id=account_id(
            text(payload, "account"), text(payload, "AWSAccountId"), text(payload, "accountId")
        ),
        region=text(payload, "region"),
        details=_mentions(raw),
        raw=raw,
    )


def from_text(body: str, *, message_id: str, why: str = "") -> Alert:
    """A message that is not a JSON object (plain text, a bare list…), or why: one we refused
    to read as its shape (too deeply nested), kept as text."""
    raw = raw_text(body)
    first_line = raw.strip().splitlines()[0][:80] if raw.strip() else "(empty)"
    return Alert(
        dedup_key=f"unrecognised:{message_id}",
        kind=AlertKind.UNRECOGNISED,
        title=f"Unrecognised alert: {why}"
        if why
        else f"Unrecognised alert: text message “{first_line}”",
        severity=severity.for_rule(AlertKind.UNRECOGNISED),
        details=_mentions(raw),
        raw=raw,
    )


def describe(payload: dict[str, Any]) -> str:
    """What the payload looked like, in a few words, for the card's title."""
    if "detail-type" in payload or "source" in payload:
        return f"EventBridge event {text(payload, 'source')} / {text(payload, 'detail-type')}"
    if text(payload, "Type") in SNS_TYPES:
        return f"SNS {text(payload, 'Type')} for {text(payload, 'TopicArn') or 'an unknown topic'}"
    if "s3Bucket" in payload and "s3ObjectKey" in payload:
        return f"CloudTrail log delivery notice for bucket {text(payload, 's3Bucket')}"
    if text(payload, "eventSource").startswith("aws:"):
        return f"{text(payload, 'eventSource')} event notification {text(payload, 'eventName')}"
    if "Records" in payload:
        return f"a batch of {len(items(payload.get('Records')))} records we could not read"
    keys = list(payload)[:MAX_KEYS_SHOWN]
    more = "…" if len(payload) > MAX_KEYS_SHOWN else ""
    return (
        f"JSON object with keys {', '.join(map(str, keys))}{more}" if keys else "empty JSON object"
    )


def _mentions(raw: str) -> dict[str, str]:
    """Key ids the message mentions, so a responder can search for them; not used for grouping."""
    keys = list(dict.fromkeys(KEY_ID_IN_TEXT.findall(raw)))
    return {"key_ids_mentioned": ", ".join(keys[:MAX_KEYS_SHOWN])} if keys else {}
