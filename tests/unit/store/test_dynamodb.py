"""DynamoDB across replicas: races settled by conditional writes, state shared, IAM respected.

Every replica here is its own DynamoStore, as on Lambda or several containers. moto answers
one request at a time (see RoleClient), so these tests prove the store's logic over
interleavings of whole requests. They cannot prove DynamoDB's side of the bargain: that a
conditional write or transaction is atomic and serializable, that a strongly consistent
read sees every committed write, and how often under load it cancels a transaction for a
conflict or throttles (the store's answers to those are tested with injected failures).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from bot.models import ActionKind, ActionRecord, ActionState, IncidentStatus, Severity
from bot.store import open_store
from bot.store.dynamodb import DynamoStore
from tests.unit.store.support import ACCOUNT, KEY, REGION, T0, TABLE, RoleClient, alert, race

Replica = Callable[[], DynamoStore]


def test_one_message_delivered_to_eight_replicas_counts_once(replica: Replica) -> None:
    replicas = [replica() for _ in range(8)]
    outcomes = race(8, lambda n: replicas[n].record_alert(alert("sns-1")))
    assert [o.duplicate for o in outcomes].count(False) == 1
    assert len({o.incident.id for o in outcomes}) == 1
    incident = replicas[0].get_incident(outcomes[0].incident.id)
    assert incident is not None and incident.alert_count == 1
    assert len(replicas[0].alerts_for(incident.id)) == 1
    assert len(replicas[0].unposted_alerts()) == 1


def test_eight_first_alerts_about_one_key_open_one_incident(replica: Replica) -> None:
    replicas = [replica() for _ in range(8)]
    outcomes = race(
        8,
        lambda n: replicas[n].record_alert(
            alert(f"m{n}", occurred_at=T0 + timedelta(minutes=n), severity=list(Severity)[n % 4])
        ),
    )
    assert [o.created for o in outcomes].count(True) == 1
    assert not any(o.duplicate for o in outcomes)
    incident = replicas[0].find_incident(ACCOUNT, KEY)
    assert incident is not None and {o.incident.id for o in outcomes} == {incident.id}
    assert incident.alert_count == 8
    assert incident.last_seen == T0 + timedelta(minutes=7)
    assert incident.severity is Severity.CRITICAL
    assert len(replicas[0].alerts_for(incident.id)) == 8


def test_one_click_on_eight_replicas_begins_one_action(replica: Replica) -> None:
    replicas = [replica() for _ in range(8)]

    def begin(n: int) -> tuple[ActionRecord, bool]:
        row = ActionRecord(
            id=f"act-{n}",
            idempotency_key="deactivate-key|123456789012|AKIAQWERTYUIOPASDFGH|0",
            action=ActionKind.DEACTIVATE_KEY,
            actor="U0ALICE",
            target=KEY,
            account_id=ACCOUNT,
        )
        return replicas[n].begin_action(row)

    results = race(8, begin)
    assert [inserted for _, inserted in results].count(True) == 1
    assert len({row.id for row, _ in results}) == 1
    assert [r.id for r in replicas[0].actions_for_target(ACCOUNT, KEY)] == [results[0][0].id]


def test_another_replica_sees_everything_at_once(replica: Replica) -> None:
    one, two = replica(), replica()
    incident = one.record_alert(alert("m1")).incident
    incident.channel, incident.thread_ts = "C0ALERTS", "1700000000.000100"
    one.save_incident(incident)
    one.begin_action(
        ActionRecord(id="a1", idempotency_key="k", action=ActionKind.TIMELINE, actor="U1")
    )
    one.bump("alerts.stored")
    assert two.find_incident_by_thread("C0ALERTS", "1700000000.000100") == incident
    assert two.find_incident(ACCOUNT, KEY) == incident
    assert [a.dedup_key for a, _ in two.unposted_alerts()] == ["m1"]
    two.mark_posted("m1")
    assert one.unposted_alerts() == []
    assert two.get_action("a1") is not None and two.counters() == {"alerts.stored": 1}


def test_a_stale_copy_saved_does_not_undo_another_replicas_count(replica: Replica) -> None:
    one, two = replica(), replica()
    stale = one.record_alert(alert("m1")).incident
    two.record_alert(alert("m2", severity=Severity.CRITICAL))
    stale.channel, stale.thread_ts = "C0ALERTS", "1700000000.000100"
    one.save_incident(stale)
    saved = two.get_incident(stale.id)
    assert saved is not None and saved.thread_ts == "1700000000.000100"
    assert (saved.alert_count, saved.severity) == (2, Severity.CRITICAL)


def test_a_reopened_incident_collects_alerts_again(replica: Replica) -> None:
    store = replica()
    first = store.record_alert(alert("m1")).incident
    first.status = IncidentStatus.CLOSED
    store.save_incident(first)
    first.status = IncidentStatus.OPEN
    store.save_incident(first)
    assert store.record_alert(alert("m2")).incident.id == first.id


def test_the_backlog_reads_only_what_is_pending(
    replica: Replica, dynamodb: Callable[[], RoleClient]
) -> None:
    store = replica()
    for n in range(12):
        store.record_alert(alert(f"m{n}"))
        store.mark_posted(f"m{n}")
    store.record_alert(alert("pending"))
    client = dynamodb()
    watched = DynamoStore(client, TABLE)  # type: ignore[arg-type]
    assert [a.dedup_key for a, _ in watched.unposted_alerts()] == ["pending"]
    assert client.calls == ["Query", "BatchGetItem"]


def test_open_store_finds_the_table_in_the_configured_region(
    dynamodb: Callable[[], RoleClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("KEYCHECK_AWS_REGION", REGION)
    store = open_store(f"dynamodb://{TABLE}")
    assert store.bump("n") == 1
    store.close()
    monkeypatch.delenv("KEYCHECK_AWS_REGION")
    with pytest.raises(ValueError, match="does not exist"):
        open_store(f"dynamodb://{TABLE}")
    assert open_store(f"dynamodb://{TABLE}", region=REGION).counters() == {"n": 1}


def test_open_store_says_what_is_missing(
    dynamodb: Callable[[], RoleClient], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "KEYCHECK_AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(ValueError, match="No AWS region"):
        open_store(f"dynamodb://{TABLE}")
    with pytest.raises(ValueError, match="not a DynamoDB table name"):
        open_store("dynamodb://a/b", region=REGION)
    other = boto3.client("dynamodb", region_name=REGION)
    other.create_table(
        TableName="keyed-otherwise",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ValueError, match="must be keyed by pk"):
        open_store("dynamodb://keyed-otherwise", dynamodb=other)


@pytest.fixture
def flaky(dynamodb: Callable[[], RoleClient]) -> tuple[DynamoStore, RoleClient]:
    client = dynamodb()
    return DynamoStore(client, TABLE), client  # type: ignore[arg-type]


def test_an_alert_whose_answer_was_lost_is_not_taken_for_a_repeat(
    flaky: tuple[DynamoStore, RoleClient],
) -> None:
    store, client = flaky
    client.fail_next("TransactWriteItems", "InternalServerError", applied=True)
    first = store.record_alert(alert("m1"))
    assert first.created and not first.duplicate
    client.fail_next("TransactWriteItems", "InternalServerError", applied=True)
    second = store.record_alert(alert("m2"))
    assert not second.created and not second.duplicate
    assert store.record_alert(alert("m2")).duplicate
    incident = store.find_incident(ACCOUNT, KEY)
    assert incident is not None and incident.alert_count == 2


def test_an_action_whose_answer_was_lost_is_still_ours(
    flaky: tuple[DynamoStore, RoleClient],
) -> None:
    store, client = flaky
    row = ActionRecord(id="a1", idempotency_key="k", action=ActionKind.TIMELINE, actor="U1")
    client.fail_next("TransactWriteItems", "InternalServerError", applied=True)
    assert store.begin_action(row) == (row, True)
    assert store.begin_action(row) == (row, False)
    approved = row.model_copy(update={"state": ActionState.AWAITING_APPROVAL})
    client.fail_next("UpdateItem", "InternalServerError", applied=True)
    assert store.swap_action(approved, row.state)
    assert not store.swap_action(approved, row.state)


def test_a_transaction_another_writer_got_in_the_way_of_is_retried(
    flaky: tuple[DynamoStore, RoleClient],
) -> None:
    store, client = flaky
    reasons = ["None", "None", "None", "TransactionConflict", "None"]
    client.fail_next("TransactWriteItems", "TransactionCanceledException", reasons=reasons)
    outcome = store.record_alert(alert("m1"))
    assert outcome.created and store.get_incident(outcome.incident.id) == outcome.incident
    assert client.calls.count("TransactWriteItems") == 2
