"""The token bucket: two tokens, each back a second after its request is answered."""

from __future__ import annotations

import threading

import pytest

from bot.aws.ratelimit import BucketRegistry, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _requests(bucket: TokenBucket, clock: FakeClock, count: int, latency: float) -> list[float]:
    """Send `count` requests one after another; return when each was sent."""
    sent = []
    for _ in range(count):
        with bucket.token():
            sent.append(clock.now)
            clock.now += latency
    return sent


def test_two_go_at_once_and_the_rest_wait_for_a_second_after_an_answer() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, 1.0, clock=clock, sleep=clock.sleep)
    sent = _requests(bucket, clock, 5, latency=0.1)
    assert [round(t - 100, 3) for t in sent] == [0.0, 0.1, 1.1, 1.2, 2.2]


@pytest.mark.parametrize("latency", [0.0, 0.05, 0.3, 1.7])
def test_no_two_requests_apart_by_a_second_or_less_can_arrive_within_a_window(
    latency: float,
) -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, 1.0, clock=clock, sleep=clock.sleep)
    sent = _requests(bucket, clock, 12, latency)
    answered = [t + latency for t in sent]
    # AWS sees each request somewhere in [sent, answered]; the worst case is the earliest
    # request seen as late as possible and the later one as early as possible.
    assert all(sent[i + 2] - answered[i] >= 1.0 for i in range(len(sent) - 2))


def test_idle_time_does_not_save_up_more_than_the_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, 1.0, clock=clock, sleep=clock.sleep)
    _requests(bucket, clock, 2, latency=0.0)
    clock.now += 60
    sent = _requests(bucket, clock, 3, latency=0.0)
    assert [round(t - sent[0], 3) for t in sent] == [0.0, 0.0, 1.0]


def test_a_request_in_flight_holds_its_token_until_it_is_answered() -> None:
    bucket = TokenBucket(1, 0.01)
    first = bucket.acquire()
    taken = threading.Event()

    def second() -> None:
        bucket.release(bucket.acquire())
        taken.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    assert not taken.wait(0.2)
    bucket.release(first)
    assert taken.wait(5)
    waiter.join()


def test_threads_share_one_bucket_without_overdrawing_it() -> None:
    bucket = TokenBucket(2, 0.01)
    held: list[int] = []
    lock = threading.Lock()
    three_in = threading.Event()

    def request() -> None:
        slot = bucket.acquire()
        with lock:
            held.append(slot)
            if len(held) == 3:
                three_in.set()

    threads = [threading.Thread(target=request) for _ in range(3)]
    for thread in threads:
        thread.start()
    assert not three_in.wait(0.3)
    assert len(held) == 2
    bucket.release(held[0])
    assert three_in.wait(5)
    for thread in threads:
        thread.join()


def test_one_bucket_per_account_and_region() -> None:
    registry = BucketRegistry()
    assert registry.get("111", "us-east-1") is registry.get("111", "us-east-1")
    assert registry.get("111", "us-east-1") is not registry.get("111", "eu-west-1")
    assert registry.get("111", "us-east-1") is not registry.get("222", "us-east-1")


def test_a_bucket_without_tokens_or_period_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one token"):
        TokenBucket(0)
