"""Which of a file's events matter to some keys, and which keys they minted: in the worker.

`keycheck analyze --key` over a large log set keeps few of the events a worker reads
from the records that held a needle; only those kept travel to the parent, whose analysis
redoes the chain logic on them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Set

from bot.analysis.chains import CREATE_ACCESS_KEY, DEFAULT_DEPTH, IAM, MINTING_CALLS, STS
from bot.events import TimelineEvent

# (the key that called, the key its call returned): one hop of a chain.
Edge = tuple[str, str]
# A minting call's response holds the new key here; the field name appears in its raw text.
MINT_NEEDLE = b'"credentials"'
# CreateAccessKey's response holds the new key under this field ("accessKeyId" does not match).
CREATED_NEEDLE = b'"accessKey"'


def _returned_key(event: TimelineEvent, block: str) -> str:
    inner = event.response_elements.get(block)
    return str(inner.get("accessKeyId") or "") if isinstance(inner, dict) else ""


def key_edge(event: TimelineEvent) -> Edge | None:
    """(caller, new key) for a successful call that returned a key: STS minting a temporary
    one, or IAM's CreateAccessKey a long-term one."""
    source, name = event.event_source, event.event_name
    if event.error_code:
        return None
    if source == STS and name in MINTING_CALLS:
        returned = _returned_key(event, "credentials")
    elif source == IAM and name == CREATE_ACCESS_KEY:
        returned = _returned_key(event, "accessKey")
    else:
        return None
    return (event.access_key_id, returned) if returned else None


def concerns(event: TimelineEvent, keys: Set[str]) -> bool:
    """Made with one of the keys, or the call that created one (AssumeRole, CreateAccessKey)."""
    if event.access_key_id in keys:
        return True
    return any(_returned_key(event, block) in keys for block in ("credentials", "accessKey"))


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
