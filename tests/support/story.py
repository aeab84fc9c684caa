"""CloudTrail alerts for an incident's story: repeats from new addresses, later calls."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from bot.standins import demo_scenario as scenario


def repeat_record(account: str, key_id: str, start: datetime, n: int) -> dict[str, Any]:
    """The n-th GetCallerIdentity by the key, each from another address a second later."""
    record = scenario.recon_records(account, key_id, start + timedelta(seconds=n))[0]
    record["sourceIPAddress"] = f"198.51.{100 + n // 250}.{n % 250 + 1}"
    return record


def call_record(
    account: str, key_id: str, when: datetime, source: str, name: str
) -> dict[str, Any]:
    """Another call by the key (`cloudtrail.amazonaws.com`, `StopLogging`), writing."""
    record = scenario.recon_records(account, key_id, when)[0]
    record.update(
        eventSource=source,
        eventName=name,
        readOnly=False,
        eventID=str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}{when}")),
        requestParameters={"name": "org-trail"} if name == "StopLogging" else None,
    )
    return record


def as_alert(record: dict[str, Any], topic: str) -> str:
    """The record as an EventBridge rule delivers it through SNS."""
    return scenario.sns_wrap(scenario.eventbridge_event(record), topic)
