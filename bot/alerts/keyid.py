"""Access key ids found in alerts: kept only when well formed, noted when not."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.domain.keys import KEY_ID, KEY_ID_IN_TEXT
from bot.domain.redact import redact_secrets

KEY_PREFIX = re.compile(r"\b(?:AKIA|ASIA)[A-Za-z0-9]*")


def malformed_note(candidate: str) -> str:
    """What the card says about a key id we refused; never longer than a key, never a secret."""
    shown = redact_secrets(candidate)[:24] + ("…" if len(candidate) > 24 else "")
    return f"ignored malformed access key id `{shown}` (kept in the raw alert)"


def clean(candidate: str) -> tuple[str, str]:
    """(key id, '') for a well-formed id, ('', note) for a malformed one, ('', '') for nothing."""
    value = candidate.strip()
    if not value:
        return "", ""
    if KEY_ID.match(value):
        return value, ""
    return "", malformed_note(value)


def find(candidates: Iterable[str]) -> tuple[list[str], list[str]]:
    """Every key id named in candidates (whole or embedded, as in 'IAM_USER/bob/AKIA…'), in order.

    A candidate that names no valid key but starts like one yields a note instead.
    """
    keys: list[str] = []
    notes: list[str] = []
    for candidate in candidates:
        found = KEY_ID_IN_TEXT.findall(candidate)
        keys.extend(key for key in found if key not in keys)
        if not found:
            notes.extend(malformed_note(m) for m in KEY_PREFIX.findall(candidate))
    return keys, list(dict.fromkeys(notes))


def join_notes(*notes: str) -> dict[str, str]:
    """A details entry for the notes, or nothing when there are none."""
    kept = [note for note in notes if note]
    return {"note": "; ".join(dict.fromkeys(kept))} if kept else {}
