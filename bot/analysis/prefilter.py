"""Which raw records matter to some keys, and which keys they minted: before any event is built.

`keycheck analyze --key` over a large log set would spend most of its time turning every
record into a TimelineEvent; these work on the raw dicts, so only the records that matter
become events. The analysis redoes the chain logic on the events it keeps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Set
from typing import Any

from bot.analysis.chains import DEFAULT_DEPTH, MINTING_CALLS, STS

Record = dict[str, Any]
# (the key that called, the key its call returned): one hop of a chain.
Edge = tuple[str, str]
# A minting call's response holds the new key here; the field name appears in its raw text.
MINT_NEEDLE = b'"credentials"'


def identity_key(record: Record) -> str:
    """userIdentity.accessKeyId, under any capitalisation of the field's name."""
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


def minted_edge(record: Record) -> Edge | None:
    """(caller, new key) for a successful STS call that minted a temporary key."""
    if record.get("eventSource") != STS or record.get("eventName") not in MINTING_CALLS:
        return None
    minted = "" if record.get("errorCode") else _returned_key(record, "credentials")
    return (identity_key(record), minted) if minted else None


def concerns(record: Record, keys: Set[str]) -> bool:
    """Made with one of the keys, or the call that created one (AssumeRole, CreateAccessKey)."""
    if identity_key(record) in keys:
        return True
    return any(_returned_key(record, field) in keys for field in ("credentials", "accessKey"))


class Reach:
    """The roots and every key minted from them, `depth` hops at most, growing as edges come.

    Edges arrive file by file, in any order: an edge into a key already reached spreads at
    once, and a shorter way to a key lets its own mints in, as a breadth-first walk over all
    the edges at the end would.
    """

    def __init__(self, roots: Iterable[str], depth: int = DEFAULT_DEPTH) -> None:
        self.hops = dict.fromkeys(roots, 0)
        self.depth = depth
        self._minted_by: dict[str, list[str]] = {}

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.hops)

    def learn(self, edges: Iterable[Edge]) -> None:
        for caller, minted in edges:
            self._minted_by.setdefault(caller, []).append(minted)
            if caller in self.hops:
                self._spread(caller)

    def _spread(self, start: str) -> None:
        queue = deque([start])
        while queue:
            key = queue.popleft()
            hops = self.hops[key] + 1
            if hops > self.depth:
                continue
            for minted in self._minted_by.get(key, []):
                if hops < self.hops.get(minted, hops + 1):
                    self.hops[minted] = hops
                    queue.append(minted)
