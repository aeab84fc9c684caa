"""Two replicas on one store: however their deliveries interleave, one card per incident."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.models import AlertKind
from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
KEY = "AKIAQWERTYUIOPASDFGH"


@pytest.fixture
def replicas(settings: Settings) -> Iterator[list[Runtime]]:
    built = [Runtime.build(settings), Runtime.build(settings)]
    yield built
    for runtime in built:
        runtime.close()


def test_two_replicas_delivering_at_once_post_one_card(
    replicas: list[Runtime], slack: SlackStandIn
) -> None:
    now = datetime.now(UTC)
    record = scenario.recon_records(ACCOUNT, KEY, now)[0]
    bodies = [
        scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC),
        scenario.sns_wrap(scenario.health_event(ACCOUNT, KEY, now), TOPIC),
    ]
    for runtime, body in zip(replicas, bodies, strict=True):
        runtime.ingest.accept(body)
    barrier = threading.Barrier(2)

    def deliver(runtime: Runtime) -> None:
        barrier.wait()
        runtime.ingest.deliver()

    threads = [threading.Thread(target=deliver, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    [card, broadcast] = slack.channel_messages("C0ALERTS")
    thread_messages = slack.thread("C0ALERTS", card["ts"])
    assert len(thread_messages) == 2, "the card, then the other alert in its thread"
    assert broadcast["subtype"] == "thread_broadcast", "news shows in the channel too"
    store = replicas[0].services.store
    assert store.unposted_alerts() == []
    incident = store.find_incident(ACCOUNT, KEY)
    assert incident is not None
    assert {a.kind for a in store.alerts_for(incident.id)} == {
        AlertKind.CLOUDTRAIL_API_CALL,
        AlertKind.HEALTH,
    }
