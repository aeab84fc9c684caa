"""Pick the records of some keys, and of the keys they minted, before parsing them all.

`keycheck analyze --key` over a large log set would spend most of its time turning every
record into a TimelineEvent; this pass works on the raw dicts, so only the records that
matter are parsed. The analysis redoes the chain logic on the events it keeps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from bot.analysis.chains import DEFAULT_DEPTH, MINTING_CALLS, STS

Record = dict[str, Any]


def _identity_key(record: Record) -> str:
    identity = record.get("userIdentity")
    if not isinstance(identity, dict):
        return ""
    key = identity.get("accessKeyId")
    if key is None:
        key = next((v for k, v in identity.items() if k.lower() == "accesskeyid"), "")
    return str(key or "")


def _returned_key(record: Record, field: str) -> str:
    elements = record.get("responseElements")
    inner = elements.get(field) if isinstance(elements, dict) else None
    return str(inner.get("accessKeyId") or "") if isinstance(inner, dict) else ""


def _minted(record: Record) -> str:
    if record.get("eventSource") != STS or record.get("eventName") not in MINTING_CALLS:
        return ""
    return "" if record.get("errorCode") else _returned_key(record, "credentials")


def select_records(
    records: Iterable[Record], keys: Sequence[str], depth: int = DEFAULT_DEPTH
) -> list[Record]:
    """The keys' records, their minted keys' (to `depth` hops), and those that created them."""
    by_key: dict[str, list[Record]] = {}
    origins: dict[str, list[Record]] = {}
    for record in records:
        by_key.setdefault(_identity_key(record), []).append(record)
        for field in ("credentials", "accessKey"):
            created = _returned_key(record, field)
            if created:
                origins.setdefault(created, []).append(record)
    hops = {key: 0 for key in keys}
    queue = deque(keys)
    while queue:
        key = queue.popleft()
        if hops[key] >= depth:
            continue
        for minted in filter(None, map(_minted, by_key.get(key, []))):
            if minted not in hops:
                hops[minted] = hops[key] + 1
                queue.append(minted)
    chosen = {id(r): r for key in hops for r in (*by_key.get(key, []), *origins.get(key, []))}
    return list(chosen.values())
