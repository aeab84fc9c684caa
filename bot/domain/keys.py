"""Access key id validation, and the guard that keeps pasted secrets out of every reply."""

from __future__ import annotations

import re

from bot.errors import InvalidKeyId, SecretPasted
from bot.events import KeyKind

KEY_ID = re.compile(r"\A(AKIA|ASIA)[A-Z2-7]{16}\Z")
KEY_ID_IN_TEXT = re.compile(r"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b")
SECRET_IN_TEXT = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
USAGE = "Type `/keycheck AKIA…` or `/keycheck ASIA…`: 20 characters, A–Z and 2–7 after the prefix."
# The same hint for a terminal, where there is no slash command to type.
TERMINAL_USAGE = "Give the 20-character id: AKIA or ASIA, then 16 of A–Z and 2–7."


def looks_like_secret(text: str) -> bool:
    """True when text holds 40 base64 characters with both cases or a digit, as secrets do."""
    for match in SECRET_IN_TEXT.finditer(text):
        token = match.group(0)
        if any(c.islower() for c in token) and any(c.isupper() or c.isdigit() for c in token):
            return True
    return False


def parse_key_id(text: str, *, usage: str = USAGE) -> str:
    """Return the key id in text, or raise an error whose message never repeats a secret.

    `usage` ends the message: how to ask again, in Slack unless the caller says otherwise.
    """
    candidate = text.strip()
    if looks_like_secret(candidate):
        raise SecretPasted(
            "That looks like a *secret* access key. It was not stored or echoed. "
            "Treat it as exposed: deactivate and rotate the key it belongs to."
        )
    if not candidate:
        raise InvalidKeyId(f"No access key id given. {usage}")
    if KEY_ID.match(candidate):
        return candidate
    raise InvalidKeyId(
        f"{_shown(candidate)} is not an access key id: {_problem(candidate)}. {usage}"
    )


def _shown(candidate: str) -> str:
    """Echo only what cannot be part of a secret: short, upper-case and digits."""
    if len(candidate) <= 24 and re.fullmatch(r"[A-Z0-9]+", candidate):
        return f"`{candidate}`"
    return "That"


def _problem(candidate: str) -> str:
    """What exactly is wrong, so the responder can fix it without guessing."""
    if not candidate.startswith(("AKIA", "ASIA")):
        return "it must start with AKIA (a long-term key) or ASIA (a temporary one)"
    if len(candidate) != 20:
        return f"it has {len(candidate)} characters, not 20"
    bad = sorted({c for c in candidate[4:] if c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"})
    return "it contains " + ", ".join(f"`{c}`" for c in bad[:5]) + ", which key ids never do"


def key_kind(key_id: str) -> KeyKind:
    """AKIA keys are long-term user keys; ASIA keys are temporary STS credentials."""
    return KeyKind.TEMPORARY if key_id.startswith("ASIA") else KeyKind.LONG_TERM
