"""EventBridge "… via CloudTrail" events: our rules' matches, one CloudTrail record each."""

from __future__ import annotations

from typing import Any

from bot.alerts import cloudtrail
from bot.alerts.fields import MalformedPayload, text
from bot.models import Alert, AlertKind

CLOUDTRAIL_DETAIL_SUFFIX = "via CloudTrail"


def is_cloudtrail_event(payload: dict[str, Any]) -> bool:
    """'AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail', and their siblings."""
    return text(payload, "detail-type").endswith(CLOUDTRAIL_DETAIL_SUFFIX)


def parse(payload: dict[str, Any], *, message_id: str) -> Alert:
    """The detail is a CloudTrail record; the envelope adds the event id, account and region.

    EventBridge does not say which rule matched, so the title is inferred from the event.
    Dedup is by the CloudTrail eventID, so the same call seen by two rules, or also
    delivered raw, is one alert; the EventBridge id is kept in the details.
    """
    detail = payload.get("detail")
    if not isinstance(detail, dict):
        raise MalformedPayload("no detail object")
    fallback = {
        "account": text(payload, "account"),
        "region": text(payload, "region"),
        "time": text(payload, "time"),
    }
    details = {"detail_type": text(payload, "detail-type")}
    if text(payload, "id"):
        details["eventbridge_id"] = text(payload, "id")
    return cloudtrail.build(
        detail, kind=AlertKind.CLOUDTRAIL_API_CALL, fallback=fallback, details=details
    )
