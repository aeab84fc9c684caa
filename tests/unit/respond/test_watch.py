"""The watch after containment: counted once, in one message, kept across restarts, run once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.aws.sessions import Sessions
from bot.models import (
    ActionKind,
    ActionOutcome,
    ActionRecord,
    ActionState,
    OutcomeStatus,
    TimelineEvent,
    Watch,
)
from bot.respond.watch import DELIVERY_SLACK, MAX_BROADCASTS, Watcher, tally
from bot.slack.messenger import Messenger, make_client
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from bot.store import SqliteStore, Store
from tests.unit.analysis.support import cloudtrail_standin
from tests.unit.store.support import alert

KEY = "AKIAQWERTYUIOPASDFGH"
MINTED = "ASIAPOIUYTREWQLKJHGF"
ACCOUNT = "123456789012"
ATTACKER = "198.51.100.50"
OTHER_IP = "203.0.113.9"
REGIONS = ["us-east-1", "eu-west-1"]


class Clock:
    """Now, moved on by the test: polls read up to it, the watch ends by it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)

    def __call__(self) -> datetime:
        return self.now


def event(n: int, when: datetime, ip: str = ATTACKER, error: str = "AccessDenied") -> TimelineEvent:
    return TimelineEvent(
        event_id=f"e-{n}", time=when, source_ip=ip, error_code=error, event_name="ListUsers"
    )


def test_denied_calls_are_counted_by_address_once_and_successes_returned() -> None:
    cutoff = datetime(2026, 12, 1, 3, 14, 0, 500000, tzinfo=UTC)
    watch = Watch(
        id="w", access_key_id=KEY, account_id=ACCOUNT, cutoff=cutoff, until=cutoff, keys=[KEY]
    )
    minting = TimelineEvent(
        event_id="e-9",
        time=cutoff + timedelta(seconds=9),
        event_source="sts.amazonaws.com",
        event_name="GetSessionToken",
        response_elements={"credentials": {"accessKeyId": MINTED}},
    )
    before = event(0, cutoff - timedelta(seconds=1))
    same_second = event(1, cutoff.replace(microsecond=0))
    calls = [before, same_second, event(2, cutoff + timedelta(seconds=5)), minting]
    calls.append(event(3, cutoff + timedelta(seconds=7), ip=OTHER_IP))

    assert tally(watch, calls, cutoff) == [minting]
    assert tally(watch, calls, cutoff) == []

    assert [(d.source_ip, d.count) for d in watch.denied] == [(ATTACKER, 2), (OTHER_IP, 1)]
    assert watch.succeeded == ["e-9"] and watch.keys == [KEY, MINTED]
    assert watch.denied[0].first == same_second.time


@pytest.fixture
def trail(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        yield standin


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "keycheck.sqlite3"


def watcher(path: Path, slack: SlackStandIn, clock: Clock) -> tuple[Watcher, Store]:
    store = SqliteStore(path)
    messenger = Messenger(make_client(str(slack.token), slack.url, backoff=0.01))
    built = Watcher(
        store,
        Sessions(region="us-east-1"),
        messenger,
        channel="#security-alerts",
        clock=clock,
        regions=lambda account: list(REGIONS),
    )
    return built, store


def incident_thread(store: Store, slack: SlackStandIn) -> str:
    outcome = store.record_alert(alert("a-1", key=KEY, account=ACCOUNT))
    ts = _card(slack)
    store.save_incident(
        outcome.incident.model_copy(update={"channel": "C0ALERTS", "thread_ts": ts})
    )
    return outcome.incident.id


def _card(slack: SlackStandIn) -> str:
    client = make_client(str(slack.token), slack.url, backoff=0.01)
    return str(client.chat_postMessage(channel="#security-alerts", text="the card")["ts"])


def deny(
    trail: CloudTrailStandIn, when: datetime, ip: str = ATTACKER, region: str = "us-east-1"
) -> None:
    trail.record_call(
        KEY, "ListUsers", when=when, source_ip=ip, region=region, error_code="AccessDenied"
    )


def summaries(slack: SlackStandIn) -> list[Any]:
    return [
        c
        for c in slack.calls
        if c.method in ("chat.postMessage", "chat.update")
        and str(c.params.get("text", "")).startswith(("Watching", "Watch on"))
    ]


def test_a_watch_goes_on_after_a_restart_in_the_same_message_counting_nothing_twice(
    path: Path, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    clock = Clock()
    first, store = watcher(path, slack, clock)
    incident_id = incident_thread(store, slack)
    started = first.start(KEY, ACCOUNT, incident_id=incident_id, started_by="U0ALICE")
    deny(trail, clock.now)
    deny(trail, clock.now, region="eu-west-1")
    clock.now += timedelta(minutes=1)
    [polled] = first.poll_due()
    assert [(d.source_ip, d.count) for d in polled.denied] == [(ATTACKER, 2)]
    first.close()
    store.close()

    deny(trail, clock.now, ip=OTHER_IP)
    clock.now += timedelta(minutes=1)
    second, reopened = watcher(path, slack, clock)
    [again] = second.poll_due()

    assert [(d.source_ip, d.count) for d in again.denied] == [(ATTACKER, 2), (OTHER_IP, 1)]
    assert again.ts == polled.ts and again.cutoff == started.cutoff
    posted = [c for c in summaries(slack) if c.method == "chat.postMessage"]
    assert len(posted) == 1 and posted[0].params["thread_ts"] == again.thread_ts
    text = str(summaries(slack)[-1].params["text"])
    assert (
        f"2 denied calls from {ATTACKER} since" in text and f"1 denied call from {OTHER_IP}" in text
    )
    reopened.close()


def test_of_two_replicas_one_polls_a_watch(
    path: Path, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    clock = Clock()
    one, _ = watcher(path, slack, clock)
    other, _ = watcher(path, slack, clock)
    one.start(KEY, ACCOUNT)

    assert len(one.poll_due()) == 1
    assert other.poll_due() == []
    one.close()
    assert len(other.poll_due()) == 1


def test_a_watch_ends_once_its_time_and_the_delivery_delay_are_past(
    path: Path, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    clock = Clock()
    built, store = watcher(path, slack, clock)
    started = built.start(KEY, ACCOUNT, minutes=5)
    clock.now = started.until + DELIVERY_SLACK

    [ended] = built.poll_due()

    assert ended.ended and store.active_watches() == []
    assert "ended at" in str(summaries(slack)[-1].params["text"])
    assert "no calls with the key since" in str(summaries(slack)[-1].params["text"])


def test_a_second_containment_extends_the_watch_and_an_undo_starts_none(
    path: Path, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    clock = Clock()
    built, store = watcher(path, slack, clock)
    first = built.start(KEY, ACCOUNT, minutes=5)
    clock.now += timedelta(minutes=3)

    def outcome(action: ActionKind, **changes: object) -> ActionOutcome:
        fields: dict[str, object] = {
            "id": "act-1",
            "idempotency_key": "k",
            "action": action,
            "actor": "U0ALICE",
            "target": KEY,
            "account_id": ACCOUNT,
            "state": ActionState.DONE,
        }
        record = ActionRecord.model_validate(fields | changes)
        return ActionOutcome(status=OutcomeStatus.DONE, message="", record=record, steps=[record])

    built.after_containment(outcome(ActionKind.ATTACH_DENY_ALL))
    extended = store.get_watch(first.id)
    assert extended is not None and extended.cutoff == first.cutoff
    assert extended.until == clock.now + timedelta(minutes=30)

    store.save_watch(extended.model_copy(update={"ended": True}))
    built.after_containment(outcome(ActionKind.REACTIVATE_KEY, undo_of="act-0"))
    assert store.active_watches() == []


def test_a_burst_of_successes_is_broadcast_a_few_at_a_time_and_counted_in_full(
    path: Path, slack: SlackStandIn, trail: CloudTrailStandIn
) -> None:
    clock = Clock()
    built, store = watcher(path, slack, clock)
    built.start(KEY, ACCOUNT, incident_id=incident_thread(store, slack))
    for _ in range(MAX_BROADCASTS + 2):
        trail.record_call(KEY, "GetCallerIdentity", when=clock.now, source_ip=ATTACKER)
    clock.now += timedelta(minutes=1)

    [polled] = built.poll_due()

    broadcasts = [c for c in slack.calls_to("chat.postMessage") if c.params.get("reply_broadcast")]
    assert len(broadcasts) == MAX_BROADCASTS
    assert len(polled.succeeded) == MAX_BROADCASTS + 2
    assert f"{MAX_BROADCASTS + 2} calls SUCCEEDED" in str(summaries(slack)[-1].params["text"])
