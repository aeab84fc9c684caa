"""GuardDuty findings as EventBridge delivers them, IAM and attack-sequence ones foremost."""

from __future__ import annotations

from typing import Any

from bot.alerts import keyid, severity
from bot.alerts.fields import account_id, dig, items, number, obj, require, text, when
from bot.alerts.raw import raw_json
from bot.models import Alert, AlertKind

MAX_DESCRIPTION_CHARS = 1000


def is_finding(payload: dict[str, Any]) -> bool:
    return text(payload, "detail-type") == "GuardDuty Finding" or (
        text(payload, "source") == "aws.guardduty" and isinstance(payload.get("detail"), dict)
    )


def parse(payload: dict[str, Any], *, message_id: str) -> Alert:
    """Dedup by finding id: GuardDuty updates a finding in place (count, lastSeen) as it recurs."""
    detail = obj(payload.get("detail"))
    finding_id = require(detail, "id")
    finding_type = require(detail, "type")
    service = obj(detail.get("service"))
    call = obj(dig(service, "action", "awsApiCallAction"))
    access = obj(dig(detail, "resource", "accessKeyDetails"))
    sequence = obj(dig(service, "detection", "sequence"))
    key, notes = _key(access, sequence)
    sample = _is_sample(service)
    title = text(detail, "title") or f"GuardDuty finding {finding_type}"
    return Alert(
        dedup_key=f"guardduty:{finding_id}",
        kind=AlertKind.GUARDDUTY,
        title=f"[sample] {title}" if sample else title,
        occurred_at=when(service.get("eventLastSeen"))
        or when(detail.get("updatedAt"))
        or when(payload.get("time")),
        severity=severity.for_guardduty(number(detail.get("severity"))),
        account_id=account_id(text(detail, "accountId"), text(payload, "account")),
        region=text(detail, "region") or text(payload, "region"),
        rule=finding_type,
        event_source=text(call, "serviceName"),
        event_name=text(call, "api") or _signal_names(sequence),
        error_code=text(call, "errorCode"),
        access_key_id=key,
        principal_type=text(access, "userType"),
        user_name=text(access, "userName") or _actor(sequence, "name"),
        source_ip=_ip(call, sequence),
        user_agent=text(call, "userAgent")
        or text(service, "additionalInfo", "userAgent", "fullUserAgent"),
        details=_details(detail, service, call, sequence, sample) | keyid.join_notes(*notes),
        raw=raw_json(payload),
    )


def _key(access: dict[str, Any], sequence: dict[str, Any]) -> tuple[str, list[str]]:
    """accessKeyDetails first; attack sequences name the credential on their actors."""
    candidates = [text(access, "accessKeyId")]
    candidates += [text(actor, "user", "credentialUid") for actor in items(sequence.get("actors"))]
    notes = []
    for candidate in candidates:
        found, note = keyid.clean(candidate)
        if found:
            return found, []
        notes.append(note)
    return "", notes


def _actor(sequence: dict[str, Any], field: str) -> str:
    return next((text(a, "user", field) for a in items(sequence.get("actors"))), "")


def _ip(call: dict[str, Any], sequence: dict[str, Any]) -> str:
    remote = obj(call.get("remoteIpDetails"))
    ip = text(remote, "ipAddressV4") or text(remote, "ipAddressV6")
    return ip or next((text(e, "ip") for e in items(sequence.get("endpoints"))), "")


def _signal_names(sequence: dict[str, Any]) -> str:
    names = [text(signal, "name") for signal in items(sequence.get("signals"))]
    return ", ".join(dict.fromkeys(name for name in names if name))[:200]


def _is_sample(service: dict[str, Any]) -> bool:
    info = service.get("additionalInfo")
    return isinstance(info, dict) and info.get("sample") is True


def _details(
    detail: dict[str, Any],
    service: dict[str, Any],
    call: dict[str, Any],
    sequence: dict[str, Any],
    sample: bool,
) -> dict[str, str]:
    remote = obj(call.get("remoteIpDetails"))
    candidates = {
        "finding_id": text(detail, "id"),
        "finding_arn": text(detail, "arn"),
        "description": text(detail, "description")[:MAX_DESCRIPTION_CHARS],
        "guardduty_severity": text(detail, "severity"),
        "count": text(service, "count"),
        "first_seen": text(service, "eventFirstSeen"),
        "last_seen": text(service, "eventLastSeen"),
        "principal_id": text(detail, "resource", "accessKeyDetails", "principalId"),
        "country": text(remote, "country", "countryName"),
        "city": text(remote, "city", "cityName"),
        "organization": text(remote, "organization", "asnOrg")
        or text(remote, "organization", "org"),
        "asn": text(remote, "organization", "asn"),
        "caller_type": text(call, "callerType"),
        "archived": "yes" if service.get("archived") is True else "",
        "sample": "yes" if sample else "",
        "sequence": text(sequence, "description")[:MAX_DESCRIPTION_CHARS],
        "signals": str(len(items(sequence.get("signals")))) if sequence else "",
        "tactics": _indicator(sequence, "ATTACK_TACTIC"),
        "techniques": _indicator(sequence, "ATTACK_TECHNIQUE"),
    }
    return {name: value for name, value in candidates.items() if value}


def _indicator(sequence: dict[str, Any], key: str) -> str:
    for indicator in items(sequence.get("sequenceIndicators")):
        if text(indicator, "key") == key:
            return ", ".join(str(v) for v in items(obj(indicator).get("values")))[:300]
    return ""
