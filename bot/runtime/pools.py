"""A thread pool with a bounded queue, for work anyone may ask for."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class BoundedPool(Executor):
    """A few threads and a short queue; when both are full, `submit` refuses (queue.Full).

    Read-only work anyone may ask for (timelines, look-ups) runs here, apart from the
    containment work, so a stranger pressing Timeline on every card cannot make a
    responder's Deactivate wait behind it.
    """

    def __init__(self, threads: int, waiting: int, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(threads + waiting)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if not self._slots.acquire(blocking=False):
            raise queue.Full("every thread and queue slot is taken")
        try:
            future = self._pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
