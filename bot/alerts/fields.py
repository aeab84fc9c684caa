"""Reading AWS JSON defensively: typed getters, and times in every format AWS writes."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any

EPOCH_MILLIS_FLOOR = 100_000_000_000  # 1973 in ms, 5138 in s: larger numbers are milliseconds


class MalformedPayload(ValueError):
    """A known alert shape lacking what its parser needs; it becomes an UNRECOGNISED alert."""


def obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def dig(payload: object, *path: str) -> object:
    """Walk nested objects; anything missing or of the wrong type gives None."""
    current: object = payload
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


def text(payload: object, *path: str) -> str:
    """A scalar at path as a string; objects, lists, booleans and nulls give ''."""
    value = dig(payload, *path)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value)


def require(payload: object, *path: str) -> str:
    """Like text, for the fields without which an alert shape means nothing."""
    value = text(payload, *path)
    if not value:
        raise MalformedPayload(f"no {'.'.join(path)}")
    return value


def number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def when(value: object) -> datetime | None:
    """ISO 8601 (with Z or +0000), RFC 1123 as AWS Health writes it, or epoch s/ms; else None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    seconds = number(value) if not isinstance(value, str) else None
    if seconds is not None:
        return _from_epoch(seconds)
    if not isinstance(value, str) or not value.strip():
        return None
    return _from_iso(value.strip()) or _from_rfc1123(value.strip())


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > EPOCH_MILLIS_FLOOR:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_rfc1123(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def account_id(*candidates: str) -> str:
    """The first candidate that is a 12-digit account id; AWS puts other things in some fields."""
    for candidate in candidates:
        if len(candidate) == 12 and candidate.isdigit():
            return candidate
    return ""
