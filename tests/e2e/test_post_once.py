"""Finding 6: one card and one reply per alert, whatever happens to a post on its way.

Real `keycheck worker` processes on one SQLite file and one SQS queue (moto), posting
to the Slack stand-in: a Slack slower than the client's 10 s timeout, a worker killed
with -9 while Slack holds its post, and two workers sharing a 300-alert backlog.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.standins import demo_scenario as scenario
from bot.standins.aws import create_alert_queue
from bot.standins.slack import SlackStandIn
from bot.store import SqliteStore
from tests.conftest import REPO
from tests.e2e.conftest import ACCOUNT, ALERTS, TOPIC
from tests.e2e.test_processes import environment, free_port

KEY = "AKIAQWERTYUIOPASDFGH"
OTHER_KEY = "AKIAZXCVBNMASDFGHJKL"
T0 = datetime.now(UTC).replace(microsecond=0)


def alert_body(n: int, key: str = KEY) -> str:
    """Alert `n` for `key`: its own time, address and call, so each is news in the thread (a
    repeat of one call from another address only moves the digest)."""
    record = scenario.recon_records(ACCOUNT, key, T0 + timedelta(seconds=n))[0]
    record["sourceIPAddress"] = f"198.51.{100 + n // 200}.{n % 200 + 1}"
    if n:
        record["eventName"] = f"{record['eventName']}{n}"
    record["eventID"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{n}"))
    return scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)


def send(aws: boto3.Session, queue: str, bodies: list[str]) -> None:
    sqs = aws.client("sqs")
    for start in range(0, len(bodies), 10):
        entries = [
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start : start + 10])
        ]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Workers stopped at the end; SIGTERM lets one finish its 20 s long poll first."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def queue(aws: boto3.Session) -> str:
    return create_alert_queue(aws.client("sqs"))


@pytest.fixture
def env(slack: SlackStandIn, tmp_path: Path, moto_url: str, queue: str) -> dict[str, str]:
    env = environment(slack, tmp_path, free_port())
    env.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        KEYCHECK_SQS_QUEUE_URL=queue,
        KEYCHECK_SNS_TOPIC_ARNS=json.dumps([TOPIC]),
        KEYCHECK_SLACK_POST_INTERVAL="0.01",
    )
    return env


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], cwd=REPO, env=env, stderr=out
        )


def metadata_counts(slack: SlackStandIn) -> Counter[str]:
    """How many messages carry each marker: a card or reply posted twice counts 2."""
    posted = [
        c.params for c in slack.calls_to("chat.postMessage") if c.status == 200 and not c.error
    ]
    marks = [json.dumps(p.get("metadata"), sort_keys=True) for p in posted if p.get("metadata")]
    return Counter(marks)


def delivered(tmp_path: Path, count: int) -> bool:
    """All `count` alerts stored, and none waiting for Slack."""
    store = SqliteStore(tmp_path / "k.sqlite3")
    try:
        return store.counters().get("alerts.stored", 0) >= count and not store.unposted_alerts()
    finally:
        store.close()


def wait_delivered(tmp_path: Path, count: int, timeout: float) -> float:
    """Seconds until every alert is in Slack."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if (tmp_path / "k.sqlite3").exists() and delivered(tmp_path, count):
            return time.monotonic() - start
        time.sleep(0.5)
    raise AssertionError(f"{count} alerts were not all delivered in {timeout} s")


def cards(slack: SlackStandIn) -> list[dict[str, Any]]:
    """The channel's cards: its top-level messages that are not broadcast thread replies."""
    listed = slack.channel_messages(ALERTS)
    return [m for m in listed if m.get("thread_ts", m["ts"]) == m["ts"]]


def test_slack_answering_after_15_s_still_gives_one_card(
    aws: boto3.Session,
    slack: SlackStandIn,
    queue: str,
    env: dict[str, str],
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
) -> None:
    slack.answer_late("chat.postMessage", 15.0)
    send(aws, queue, [alert_body(0)])
    started.append(worker(env, tmp_path / "worker.log"))

    wait_delivered(tmp_path, 1, timeout=90)
    send(aws, queue, [alert_body(1)])
    wait_delivered(tmp_path, 2, timeout=60)

    [card] = cards(slack)
    assert len(slack.thread(ALERTS, card["ts"])) == 2, "the next alert went into its thread"
    assert max(metadata_counts(slack).values()) == 1


def test_a_worker_killed_mid_post_loses_and_doubles_nothing_when_restarted(
    aws: boto3.Session,
    slack: SlackStandIn,
    queue: str,
    env: dict[str, str],
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
) -> None:
    slack.answer_late("chat.postMessage", 60.0)
    send(aws, queue, [alert_body(n) for n in range(4)] + [alert_body(0, OTHER_KEY)])
    first = worker(env, tmp_path / "worker.log")
    slack.wait_for_call("chat.postMessage", timeout=60)
    first.kill()
    first.wait(timeout=10)

    started.append(worker(env, tmp_path / "worker.log"))
    took = wait_delivered(tmp_path, 5, timeout=90)

    assert len(cards(slack)) == 2, "one card per key"
    [key_card] = [c for c in cards(slack) if KEY in c["text"]]
    assert len(slack.thread(ALERTS, key_card["ts"])) == 4, "the card, then 3 replies"
    assert max(metadata_counts(slack).values()) == 1
    assert took < 30, f"delivery resumed only after {took:.0f} s"


def test_two_workers_on_300_replies_post_each_once(
    aws: boto3.Session,
    slack: SlackStandIn,
    queue: str,
    env: dict[str, str],
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
) -> None:
    send(aws, queue, [alert_body(n) for n in range(301)])
    started.extend(worker(env, tmp_path / f"worker-{n}.log") for n in range(2))

    wait_delivered(tmp_path, 301, timeout=240)

    [card] = cards(slack)
    assert len(slack.thread(ALERTS, card["ts"])) == 301, "the card and 300 replies"
    counts = metadata_counts(slack)
    assert len(counts) == 301 and max(counts.values()) == 1
