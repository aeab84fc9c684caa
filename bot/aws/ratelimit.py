"""Client-side pacing: a token bucket per (account, region), so throttles are the exception.

CloudTrail allows LookupEvents two requests per second per account and region. A bucket
holds that many tokens; a request takes one, and the token comes back one second after
the request has been answered. AWS receives a request somewhere between our sending it
and our reading its answer, so two requests that AWS sees less than a second apart would
need a token that had not come back yet: however slow the network or uneven the threads,
the limit holds, and no fixed safety margin is needed. The bucket computes every wait
from its clock; the clock and the sleep are injectable, so tests never wait.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

# CloudTrail LookupEvents: two requests per second, per account, per region.
LOOKUP_EVENTS_PER_SECOND = 2
WINDOW_SECONDS = 1.0
# Headroom for the clocks of two machines ticking at slightly different speeds.
SLACK_SECONDS = 0.01


class TokenBucket:
    """`capacity` tokens; each returns `per` seconds after the request that took it ends."""

    def __init__(
        self,
        capacity: int = LOOKUP_EVENTS_PER_SECOND,
        per: float = WINDOW_SECONDS + SLACK_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if capacity < 1 or per <= 0:
            raise ValueError("a token bucket needs at least one token and a positive period")
        self.capacity, self.per = capacity, per
        self._clock, self._sleep = clock, sleep
        self._back_at = [float("-inf")] * capacity  # +inf while its request is in flight
        self._changed = threading.Condition()

    def _take(self) -> tuple[int, float]:
        """Under the lock: take the first token back (returning its slot), or say how long."""
        slot = min(range(self.capacity), key=self._back_at.__getitem__)
        wait = self._back_at[slot] - self._clock()
        if wait <= 0:
            self._back_at[slot] = float("inf")
        return slot, wait

    def acquire(self) -> int:
        """Block until a token is ours; return its slot, to hand back to `release`."""
        while True:
            with self._changed:
                slot, wait = self._take()
                if wait <= 0:
                    return slot
                if wait == float("inf"):
                    self._changed.wait()
                    continue
            self._sleep(wait)

    def release(self, slot: int) -> None:
        """The request that held this token has been answered: it comes back `per` from now."""
        with self._changed:
            self._back_at[slot] = self._clock() + self.per
            self._changed.notify_all()

    @contextlib.contextmanager
    def token(self) -> Iterator[None]:
        """Hold a token for the duration of one request."""
        slot = self.acquire()
        try:
            yield
        finally:
            self.release(slot)


class BucketRegistry:
    """One bucket per (account, region), shared by every lookup in this process."""

    def __init__(
        self, capacity: int = LOOKUP_EVENTS_PER_SECOND, per: float = WINDOW_SECONDS + SLACK_SECONDS
    ) -> None:
        self.capacity, self.per = capacity, per
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def get(self, account_id: str, region: str) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get((account_id, region))
            if bucket is None:
                bucket = TokenBucket(self.capacity, self.per)
                self._buckets[(account_id, region)] = bucket
            return bucket


LOOKUP_BUCKETS = BucketRegistry()
