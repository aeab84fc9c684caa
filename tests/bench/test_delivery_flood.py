"""Floods: 10,000 alerts for one key, 1,000 keys at once, and what another key then waits.

Each flood is stored first (as a worker that fell behind finds it), then one delivery
posts it to the Slack stand-in. Printed per flood: Slack calls per incident, the time
until another key's first card (against that card delivered alone, in the same process),
and the peak memory of the delivery (tracemalloc, against storing the same alerts with
the bare parse-and-store loop). Pacing is off: the channel limit is Slack's to enforce
and is measured by its own tests; here it would only add a constant per message.

Sizes: KEYCHECK_BENCH_ONE_KEY (10000) and KEYCHECK_BENCH_KEYS (1000).
"""

from __future__ import annotations

import os
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.parse import parse_body
from bot.config import Settings
from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from bot.store import SqliteStore

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
ONE_KEY = int(os.environ.get("KEYCHECK_BENCH_ONE_KEY", "10000"))
KEYS = int(os.environ.get("KEYCHECK_BENCH_KEYS", "1000"))
LATE_KEY = "AKIALATEKEYLATEKEY23"
T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def key_id(n: int) -> str:
    """The n-th of many valid key ids."""
    tail = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(16))
    return "AKIA" + tail


def body(key: str, n: int) -> str:
    """A GetCallerIdentity from the attacker's one address: a repeat of the same news."""
    record = scenario.recon_records(ACCOUNT, key, T0 + timedelta(milliseconds=n))[0]
    record["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{n}"))
    return scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)


def bare_store(settings: Settings, bodies: list[str]) -> int:
    """The floor: parse and store, no enrichment, no Slack. Its peak memory, in bytes."""
    store = SqliteStore(settings.store_url.removeprefix("sqlite:///") + ".bare")
    tracemalloc.start()
    for text in bodies:
        for alert in parse_body(text, max_bytes=settings.max_body_bytes):
            store.record_alert(alert)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    store.close()
    return peak


def first_card_delay(runtime: Runtime, slack: SlackStandIn) -> float:
    """Seconds from the start of delivery until the late key's card is in Slack."""
    posted: list[float] = []

    def watch(call: object) -> None:
        params = getattr(call, "params", {})
        if not posted and LATE_KEY in str(params.get("text", "")) and not params.get("thread_ts"):
            posted.append(time.monotonic())

    slack.on_call = watch
    start = time.monotonic()
    runtime.ingest.deliver()
    slack.on_call = None
    assert posted, "the late key never got its card"
    return posted[0] - start


def flood(
    runtime: Runtime, slack: SlackStandIn, bodies: list[str]
) -> tuple[float, int, int, float]:
    """Store `bodies` and the late key's alert, deliver: (delay, calls, incidents, peak MiB)."""
    for text in bodies:
        runtime.ingest.accept(text)
    runtime.ingest.accept(body(LATE_KEY, 0))
    before = len(slack.calls)
    tracemalloc.start()
    delay = first_card_delay(runtime, slack)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    incidents = len(slack.channel_messages("C0ALERTS"))
    return delay, len(slack.calls) - before, incidents, peak / 2**20


def report(name: str, alone: float, result: tuple[float, int, int, float], floor: int) -> None:
    delay, calls, incidents, peak = result
    print(
        f"{name:<22} {calls / incidents:6.2f} Slack calls per incident ({incidents} incidents)"
        f" | late key's first card {delay:6.2f} s, x{delay / alone:.1f} its delay alone"
        f" | peak {peak:6.1f} MiB, x{peak * 2**20 / floor:.1f} the bare parse-and-store"
    )


@pytest.mark.bench
@pytest.mark.settings(slack_post_interval=0.0)
def test_floods_of_one_key_and_of_many_keys(
    settings: Settings, slack: SlackStandIn, runtime: Runtime
) -> None:
    runtime.ingest.accept(body(LATE_KEY, 0))
    alone = first_card_delay(runtime, slack)
    slack.reset()
    runs: list[tuple[str, list[str]]] = [
        (f"{ONE_KEY} alerts, one key", [body(key_id(1), n) for n in range(ONE_KEY)]),
        (f"{KEYS} keys at once", [body(key_id(n + 2), n) for n in range(KEYS)]),
    ]
    print()
    print(f"another key's card delivered alone: {alone * 1000:.1f} ms")
    for name, bodies in runs:
        floor = bare_store(settings, bodies)
        own_store = {"store_url": f"{settings.store_url}.{len(bodies)}"}
        built = Runtime.build(settings.model_copy(update=own_store))
        try:
            slack.reset()
            report(name, alone, flood(built, slack, bodies), floor)
        finally:
            built.close()
