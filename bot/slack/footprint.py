"""Footprint items in a button's value and a modal's metadata: compact, and read back strictly.

A value holds at most 2,000 characters, so each item travels as a short list of strings;
one that does not parse is refused, never guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.analysis.footprint import FootprintItem, FootprintKind
from bot.errors import UnknownAction

FIELDS = ("kind", "account_id", "target_type", "target", "detail", "event_id", "time", "by_key")


def packed(items: Sequence[FootprintItem]) -> list[list[str]]:
    return [
        [
            item.kind.value,
            item.account_id,
            item.target_type,
            item.target,
            item.detail,
            item.event_id,
            item.time.isoformat(),
            item.by_key,
        ]
        for item in items
    ]


def unpacked(rows: Sequence[Sequence[str]]) -> list[FootprintItem]:
    try:
        return [_item(dict(zip(FIELDS, row, strict=True))) for row in rows]
    except (ValueError, TypeError) as error:
        raise UnknownAction("That button's footprint is not one keycheck made.") from error


def _item(fields: dict[str, str]) -> FootprintItem:
    if not all(isinstance(value, str) for value in fields.values()):
        raise TypeError("footprint fields are strings")
    kind = FootprintKind(fields.pop("kind"))
    time = datetime.fromisoformat(fields.pop("time"))
    return FootprintItem(kind=kind, time=time, **fields)
