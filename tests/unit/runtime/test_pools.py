"""The read-only pool: a few threads and a short queue, then a refusal instead of a backlog."""

from __future__ import annotations

import queue
import threading

import pytest

from bot.runtime.pools import BoundedPool


def test_a_full_pool_refuses_and_takes_work_again_once_a_slot_frees() -> None:
    pool = BoundedPool(1, 1, "test")
    go = threading.Event()
    running = pool.submit(go.wait, 10)
    waiting = pool.submit(lambda: "queued")

    with pytest.raises(queue.Full):
        pool.submit(lambda: "refused")

    go.set()
    assert running.result(timeout=10) and waiting.result(timeout=10) == "queued"
    assert pool.submit(lambda: "again").result(timeout=10) == "again"
    pool.shutdown()
