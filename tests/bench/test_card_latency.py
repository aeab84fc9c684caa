"""Alert in the queue → its card in Slack: p50/p99, against the bare parse-and-store loop.

One alert at a time goes into SQS (moto); the worker takes it, stores it, deletes it and
posts the card to the Slack stand-in. The floor is the same receive → parse → store →
delete loop with nothing else, in the same process on the same queue. What lies between
the two is the card's enrichment (IAM, STS, the blast radius) and the post itself.
Samples: KEYCHECK_BENCH_LATENCY_SAMPLES (100).
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from bot.alerts.parse import parse_body
from bot.aws import sqs
from bot.config import Settings
from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.aws import create_alert_queue, seed_leaked_user
from bot.standins.slack import SlackStandIn
from bot.store import SqliteStore

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
SAMPLES = int(os.environ.get("KEYCHECK_BENCH_LATENCY_SAMPLES", "100"))
T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def body(key: str, n: int) -> str:
    record = scenario.recon_records(ACCOUNT, key, T0 + timedelta(seconds=n))[0]
    record["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{n}"))
    record["sourceIPAddress"] = f"198.51.{100 + n // 200}.{n % 200 + 1}"  # news: a reply each
    return scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)


def measured(
    send: Callable[[int], None], done: Callable[[int], bool], turn: Callable[[], None]
) -> list[float]:
    """Per sample: send it, then turn the loop until it is done; seconds from send to done."""
    latencies = []
    for n in range(SAMPLES):
        start = time.perf_counter()
        send(n)
        while not done(n):
            turn()
        latencies.append(time.perf_counter() - start)
    return latencies


def quantiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49], cuts[98]


@pytest.mark.bench
@pytest.mark.settings(slack_post_interval=0.0)
def test_queue_to_card_latency_against_parse_and_store(
    aws: boto3.Session, settings: Settings, slack: SlackStandIn, runtime: Runtime
) -> None:
    client = aws.client("sqs")
    queue = create_alert_queue(client)
    keys = [str(seed_leaked_user(aws.client("iam"), f"user-{n}")["AccessKeyId"]) for n in range(3)]
    worker = runtime.worker(wait_seconds=0)
    worker.queue_url = queue

    def enqueue(n: int) -> None:
        client.send_message(QueueUrl=queue, MessageBody=body(keys[n % 3], n))

    store = SqliteStore(settings.store_url.removeprefix("sqlite:///") + ".floor")
    stored: list[str] = []

    def bare_turn() -> None:
        for message in sqs.receive(client, queue, wait_seconds=0):
            for alert in parse_body(message["Body"], max_bytes=settings.max_body_bytes):
                store.record_alert(alert)
                stored.append(alert.dedup_key)
            sqs.delete(client, queue, message["ReceiptHandle"])

    floor = measured(enqueue, lambda n: len(stored) > n, bare_turn)
    store.close()

    kept = runtime.services.store

    def posted(n: int) -> bool:
        """The n-th alert is stored and nothing waits for Slack: its card or reply is out."""
        return kept.counters().get("alerts.stored", 0) > n and not kept.unposted_alerts()

    def worker_turn() -> None:
        worker.poll_once()

    full = measured(lambda n: enqueue(n + SAMPLES), posted, worker_turn)
    assert len(slack.calls_to("chat.postMessage")) >= SAMPLES

    (f50, f99), (p50, p99) = quantiles(floor), quantiles(full)
    print()
    print(f"queue → card over {SAMPLES} alerts (3 keys, so most are replies in a thread)")
    print(
        f"keycheck   p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
        f" | parse-and-store p50 {f50 * 1000:6.1f} ms  p99 {f99 * 1000:6.1f} ms"
        f" | x{p50 / f50:.1f} at p50, x{p99 / f99:.1f} at p99"
    )
