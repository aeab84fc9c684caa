"""The raw alert kept for the "show raw" button: secrets scrubbed, size capped."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.keys import looks_like_secret
from bot.domain.redact import redact_secrets

MAX_RAW_CHARS = 40_000
REDACTED = "[redacted]"
SENSITIVE_KEYS = frozenset(
    {
        "sessiontoken",
        "secretaccesskey",
        "secretkey",
        "password",
        "newpassword",
        "oldpassword",
        "privatekey",
        "token",
        "subscribeurl",
    }
)


def scrub(value: Any) -> Any:
    """A copy with session tokens, passwords and secret-shaped strings replaced."""
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SENSITIVE_KEYS and val else scrub(val)
            for key, val in value.items()
        }
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str) and looks_like_secret(value):
        return redact_secrets(value)
    return value


def truncate(text: str, limit: int = MAX_RAW_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n…[truncated {len(text) - limit} characters]"


def raw_json(payload: Any) -> str:
    """The payload as indented JSON for a human, scrubbed and capped."""
    return truncate(json.dumps(scrub(payload), indent=2, ensure_ascii=False, default=str))


def raw_text(text: str) -> str:
    return truncate(redact_secrets(text))
