"""AWS Health risk events: AWS telling us a key is exposed, compromised or quarantined."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Final
from urllib.parse import urlsplit

from bot.alerts import keyid, severity
from bot.alerts.fields import MalformedPayload, account_id, items, obj, text, when
from bot.alerts.raw import raw_json
from bot.models import Alert, AlertKind

TITLES: Final[dict[str, str]] = {
    "AWS_RISK_CREDENTIALS_EXPOSED": "AWS found this access key exposed publicly",
    "AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED": "AWS suspects this access key was exposed",
    "AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED": (
        "Irregular activity: AWS suspects this access key is compromised"
    ),
    "AWS_RISK_CREDENTIALS_COMPROMISED": "AWS reports this access key compromised",
    "AWS_RISK_IAM_QUARANTINE": "AWS attached its quarantine policy to this key's user",
    "AWS_RISK_ACCOUNT_CONSOLE_COMPROMISE": "AWS suspects a console sign-in was compromised",
}
URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")
IAM_USER = re.compile(r"\bIAM User:?\s+([\w+=,.@-]+?)[,.;]?(?:\s|$)")
# Support's API id ("case-123456789012-muen-2026-1a2b3c4d…") and the number people see.
CASE_ID = re.compile(r"\bcase-\d{10,12}-[a-z0-9-]*?[0-9a-f]{8,}\b")
CASE_DISPLAY_ID = re.compile(r"\bcase\s*(?:id|number|#)?\s*[:#]?\s*(\d{6,})\b", re.IGNORECASE)
AWS_HOSTS = ("amazon.com", "amazonaws.com", "aws.com", "amazon.com.cn", "amazonaws.com.cn")
MAX_DESCRIPTION_CHARS = 1500


def is_health(payload: dict[str, Any]) -> bool:
    return text(payload, "source") == "aws.health" and "detail-type" in payload


def parse(payload: dict[str, Any], *, message_id: str) -> list[Alert]:
    """One Alert per access key the event names (an event can name several), else one.

    Dedup by the Health event ARN and the key: AWS updates an event in place.
    """
    detail = obj(payload.get("detail"))
    code = text(detail, "eventTypeCode")
    if not code:
        raise MalformedPayload("no detail.eventTypeCode")
    meta = _metadata(detail)
    description = _description(detail)
    keys, notes = keyid.find(_key_candidates(payload, detail, meta, description))
    account = account_id(
        meta.get("accountid", ""), text(detail, "affectedAccount"), text(payload, "account")
    )
    details = _details(detail, meta, description, keys) | keyid.join_notes(*notes)
    common: dict[str, Any] = {
        "kind": AlertKind.HEALTH,
        "title": TITLES.get(code, f"AWS Health: {code}"),
        "occurred_at": when(detail.get("startTime")) or when(payload.get("time")),
        "severity": severity.for_rule(AlertKind.HEALTH, code),
        "account_id": account,
        "region": text(detail, "eventRegion") or text(payload, "region"),
        "rule": code,
        "event_name": meta.get("eventname", ""),
        "user_name": meta.get("username") or _user(description),
        "source_ip": details.get("client_ip", ""),
        "details": details,
        "raw": raw_json(payload),
    }
    event = text(detail, "eventArn") or message_id
    return [
        Alert(dedup_key=f"health:{event}:{key or account}", access_key_id=key, **common)
        for key in keys or [""]
    ]


def _metadata(detail: dict[str, Any]) -> dict[str, str]:
    """eventMetadata and every entity's entityMetadata, keys lowercased: AWS varies the case."""
    sources = [obj(detail.get("eventMetadata"))]
    sources += [obj(obj(e).get("entityMetadata")) for e in items(detail.get("affectedEntities"))]
    merged: dict[str, str] = {}
    for source in sources:
        for key, value in source.items():
            if isinstance(value, str | int) and not isinstance(value, bool):
                merged.setdefault(str(key).lower(), str(value))
    return merged


def _description(detail: dict[str, Any]) -> str:
    entries = [obj(e) for e in items(detail.get("eventDescription"))]
    english = [e for e in entries if text(e, "language").startswith("en")]
    return next((text(e, "latestDescription") for e in english + entries), "")


def _key_candidates(
    payload: dict[str, Any], detail: dict[str, Any], meta: dict[str, str], description: str
) -> list[str]:
    entities = [text(e, "entityValue") for e in items(detail.get("affectedEntities"))]
    resources = [r for r in items(payload.get("resources")) if isinstance(r, str)]
    return [
        *entities,
        meta.get("publickey", ""),
        meta.get("accesskeyid", ""),
        *resources,
        description,
    ]


def _details(
    detail: dict[str, Any], meta: dict[str, str], description: str, keys: list[str]
) -> dict[str, str]:
    candidates = {
        "event_arn": text(detail, "eventArn"),
        "event_type_code": text(detail, "eventTypeCode"),
        "status": text(detail, "statusCode"),
        "description": description[:MAX_DESCRIPTION_CHARS],
        "exposed_url": meta.get("exposedurl") or _exposed_url(description),
        "case_id": meta.get("caseid") or _first(CASE_ID, description),
        "case_display_id": meta.get("displayid") or _first(CASE_DISPLAY_ID, description),
        "client_ip": _ip(meta.get("clientip") or meta.get("sourceip") or ""),
        "affected_keys": ", ".join(keys) if len(keys) > 1 else "",
    }
    return {name: value for name, value in candidates.items() if value}


def _exposed_url(description: str) -> str:
    """The first non-AWS link in the description: AWS's own links point at its console."""
    for match in URL.finditer(description):
        url = match.group(0).rstrip(".,;:!?")
        host = (urlsplit(url).hostname or "").lower()
        if not any(host == h or host.endswith("." + h) for h in AWS_HOSTS):
            return url
    return ""


def _user(description: str) -> str:
    match = IAM_USER.search(description)
    return match.group(1) if match else ""


def _first(pattern: re.Pattern[str], description: str) -> str:
    match = pattern.search(description)
    return match.group(match.lastindex or 0) if match else ""


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""
