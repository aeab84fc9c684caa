"""Delivery order: one incident's long backlog never holds back another incident's card."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

from bot.ingest.pipeline import ROUND_ALERTS, ROUND_KINDS, Ingest, round_batch
from bot.standins.slack import SlackStandIn
from tests.unit.ingest.conftest import Replica
from tests.unit.store.support import T0, alert

NOISY = "AKIAQWERTYUIOPASDFGH"
QUIET = "AKIAZZZZZZZZZZZZZZZZ"


def test_a_new_incidents_card_goes_before_another_incidents_thread_backlog(
    ingest: Ingest, slack: SlackStandIn
) -> None:
    """Finding: 300 alerts for one key delayed another key's card by 304 s (each alert a
    call not seen before, so each is news in the thread)."""
    ingest.store.record_alert(alert("noisy-0", key=NOISY, source_ip="192.0.2.0"))
    ingest.deliver()
    for n in range(1, 41):
        later = T0 + timedelta(seconds=n)
        ingest.store.record_alert(
            alert(
                f"noisy-{n}",
                key=NOISY,
                source_ip=f"192.0.2.{n}",
                event_name=f"Call{n}",
                received_at=later,
            )
        )
    ingest.store.record_alert(alert("quiet", key=QUIET, received_at=T0 + timedelta(minutes=5)))

    ingest.deliver()

    posts = slack.calls_to("chat.postMessage")[1:]
    [card] = [n for n, call in enumerate(posts) if not call.params.get("thread_ts")]
    assert QUIET in str(posts[card].params)
    assert card <= 5, f"the new card waited behind {card} thread replies"
    assert len(posts) == 41 and ingest.store.unposted_alerts() == []
    assert len(slack.calls_to("chat.update")) == 1, "the card is redrawn once, not per round"


def test_two_replicas_post_each_reply_once_however_long_the_backlog(
    replica: Replica, slack: SlackStandIn
) -> None:
    """Finding: the lease was renewed only between incidents, so on a backlog longer than
    its TTL a second worker took it over and posted the same replies again."""
    one, two = replica(lease_seconds=0.3, interval=0.1), replica(lease_seconds=0.3)
    one.store.record_alert(alert("noisy-0", key=NOISY, source_ip="192.0.2.0"))
    one.deliver()
    for n in range(1, 31):
        later = T0 + timedelta(seconds=n)
        one.store.record_alert(
            alert(
                f"noisy-{n}",
                key=NOISY,
                source_ip=f"192.0.2.{n}",
                event_name=f"Call{n}",
                received_at=later,
            )
        )
    first = threading.Thread(target=one.deliver)
    first.start()
    while first.is_alive():
        two.deliver()
        time.sleep(0.05)
    first.join()
    two.deliver()

    replies = [c for c in slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    ips = [ip for c in replies for ip in re.findall(r"192\.0\.2\.\d+", str(c.params["text"]))]
    assert len(replies) == 30
    assert len(set(ips)) == len(ips) == 30


def test_a_flood_of_repeats_drains_in_rounds_of_hundreds_not_of_five() -> None:
    """Ten thousand repeats of one call took two thousand rounds, each reading the whole
    backlog again: repeats cost one digest edit, so a round takes hundreds of them."""
    flood = [alert(f"rep-{n}", key=NOISY, source_ip=f"198.51.100.{n % 250}") for n in range(1200)]

    assert [a.dedup_key for a in round_batch(flood)] == [f"rep-{n}" for n in range(ROUND_ALERTS)]


def test_a_round_stops_before_its_sixth_kind_of_alert() -> None:
    kinds = [alert(f"k-{n}", key=NOISY, event_name=f"Call{n // 2}") for n in range(20)]

    batch = round_batch(kinds)

    assert [a.dedup_key for a in batch] == [f"k-{n}" for n in range(2 * ROUND_KINDS)]
