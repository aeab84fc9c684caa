"""JSON as it arrives made safe to keep: nesting capped, lone surrogates replaced.

pydantic writes JSON deeper than it reads back (its reader stops near 200 levels), and
a lone UTF-16 surrogate (`"\\ud800"` is valid JSON) cannot be encoded as UTF-8 at all:
either would be stored and then fail every read. So a payload deeper than MAX_DEPTH is
not parsed as its shape (it becomes an unrecognised alert), and text is made encodable
before anything is built from it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

# Real AWS events nest a dozen levels; an Alert adds four around its events' parameters.
MAX_DEPTH: Final = 64
LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")
REPLACEMENT: Final = "\ufffd"
TOO_DEEP_TO_SHOW: Final = "(the message is nested too deeply to show)"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """More than `limit` lists and objects inside one another; walked without recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, level = pending.pop()
        if isinstance(current, dict):
            children = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            continue
        if level > limit:
            return True
        pending.extend((child, level + 1) for child in children)
    return False


def text(value: str) -> str:
    """The string with every unpaired surrogate replaced by U+FFFD."""
    return LONE_SURROGATE.sub(REPLACEMENT, value)


def clean(value: Any) -> Any:
    """A copy with every string (keys too) encodable; call only on values not too_deep."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {text(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def flat(value: Any) -> str:
    """A too-deep value as compact JSON text, for the raw attachment; never raises."""
    try:
        return text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    except (RecursionError, ValueError):
        return TOO_DEEP_TO_SHOW
