"""The store contract on every backend: alerts group, duplicates count once, actions run once."""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest

from bot.models import ActionKind, ActionRecord, ActionState, IncidentStatus, Severity
from bot.store import Store, UnreadableAlert
from tests.unit.store.support import ACCOUNT, KEY, T0, alert, deep_alert, race, spoil


def test_first_alert_opens_an_incident_and_later_ones_join_it(store: Store) -> None:
    first = store.record_alert(alert("m1"))
    later = store.record_alert(
        alert("m2", occurred_at=T0 + timedelta(minutes=2), severity=Severity.CRITICAL)
    )
    assert first.created and not first.duplicate
    assert not later.created and later.incident.id == first.incident.id
    assert later.incident.alert_count == 2
    assert later.incident.last_seen == T0 + timedelta(minutes=2)
    assert later.incident.severity is Severity.CRITICAL
    assert store.get_incident(first.incident.id) == later.incident
    assert [a.dedup_key for a in store.alerts_for(first.incident.id)] == ["m1", "m2"]


def test_a_milder_or_older_alert_does_not_lower_the_incident(store: Store) -> None:
    store.record_alert(alert("m1", severity=Severity.HIGH))
    later = store.record_alert(
        alert("m2", occurred_at=T0 - timedelta(hours=1), severity=Severity.LOW)
    ).incident
    assert (later.severity, later.last_seen, later.alert_count) == (Severity.HIGH, T0, 2)


def test_redelivery_is_recognised_and_counted_once(store: Store) -> None:
    store.record_alert(alert("m1"))
    again = store.record_alert(alert("m1"))
    assert again.duplicate and again.incident.alert_count == 1
    assert len(store.alerts_for(again.incident.id)) == 1


def test_incidents_are_per_account_and_key(store: Store) -> None:
    a = store.record_alert(alert("m1"))
    b = store.record_alert(alert("m2", account="210987654321"))
    c = store.record_alert(alert("m3", key="ASIAQWERTYUIOPASDFGH"))
    assert len({a.incident.id, b.incident.id, c.incident.id}) == 3
    assert store.find_incident(ACCOUNT, KEY) == store.get_incident(a.incident.id)


def test_an_alert_about_nobody_still_finds_an_incident(store: Store) -> None:
    first = store.record_alert(alert("m1", key="", rule="root.usage")).incident
    second = store.record_alert(alert("m2", key="", rule="root.usage")).incident
    assert first.subject == "cloudtrail-api-call:root.usage" and second.id == first.id


def test_key_less_alerts_of_different_kinds_open_different_incidents(store: Store) -> None:
    """Finding: every key-less alert of an account joined one "unrecognised" incident."""
    alarm = store.record_alert(alert("m1", key="", kind="cloudwatch-alarm", rule="root.usage"))
    other = store.record_alert(alert("m2", key="", kind="unrecognised", title="Security Hub"))
    health = store.record_alert(alert("m3", key="", kind="health", rule="AWS_RISK_X"))
    assert len({alarm.incident.id, other.incident.id, health.incident.id}) == 3


def test_a_closed_incident_is_not_reopened_by_a_new_alert(store: Store) -> None:
    first = store.record_alert(alert("m1")).incident
    first.status = IncidentStatus.CLOSED
    store.save_incident(first)
    assert store.find_incident(ACCOUNT, KEY) is None
    second = store.record_alert(alert("m2"))
    assert second.created and second.incident.id != first.id
    assert store.find_incident(ACCOUNT, KEY) == second.incident


def test_an_acknowledged_incident_keeps_collecting_alerts(store: Store) -> None:
    first = store.record_alert(alert("m1")).incident
    first.status = IncidentStatus.ACKNOWLEDGED
    store.save_incident(first)
    later = store.record_alert(alert("m2"))
    assert later.incident.id == first.id and later.incident.alert_count == 2
    assert later.incident.status is IncidentStatus.ACKNOWLEDGED


def test_an_incident_is_found_by_its_card(store: Store) -> None:
    incident = store.record_alert(alert("m1")).incident
    assert store.find_incident_by_thread("C0ALERTS", "1700000000.000100") is None
    incident.channel, incident.thread_ts = "C0ALERTS", "1700000000.000100"
    store.save_incident(incident)
    assert store.find_incident_by_thread("C0ALERTS", "1700000000.000100") == incident
    assert store.find_incident_by_thread("C0OTHER", "1700000000.000100") is None


def test_unposted_alerts_are_the_backlog_until_marked(store: Store) -> None:
    store.record_alert(alert("m1"))
    store.record_alert(alert("m2"))
    other = store.record_alert(alert("m0", account="210987654321", received_at=T0 - timedelta(1)))
    backlog = store.unposted_alerts()
    assert [a.dedup_key for a, _ in backlog] == ["m0", "m1", "m2"]
    assert backlog[0][1] == other.incident
    store.mark_posted("m1")
    store.mark_posted("m0")
    assert [a.dedup_key for a, _ in store.unposted_alerts()] == ["m2"]
    store.mark_posted("m2")
    store.mark_posted("never-stored")
    assert store.unposted_alerts() == []


def test_a_large_alert_is_stored_whole(store: Store) -> None:
    events = [{"eventName": "GetObject", "n": n, "pad": "x" * 200} for n in range(1700)]
    raw = json.dumps({"Records": events})
    big = alert("big", raw=raw)
    assert len(big.model_dump_json()) > 400_000  # past DynamoDB's item size limit as JSON
    incident = store.record_alert(big).incident
    assert store.alerts_for(incident.id)[0].raw == raw
    assert store.unposted_alerts()[0][0].raw == raw


def action(key: str = "deactivate:1:AKIA:0", action_id: str = "act-1") -> ActionRecord:
    return ActionRecord(
        id=action_id, idempotency_key=key, action=ActionKind.DEACTIVATE_KEY, actor="U1"
    )


def test_an_action_is_begun_once_per_idempotency_key(store: Store) -> None:
    results = race(8, lambda n: store.begin_action(action(action_id=f"act-{n}")))
    assert [inserted for _, inserted in results].count(True) == 1
    assert len({row.id for row, _ in results}) == 1


def test_an_action_record_is_updated_in_place(store: Store) -> None:
    row, inserted = store.begin_action(action())
    assert inserted and store.get_action("act-1") == row
    row.state, row.after = ActionState.DONE, {"status": "Inactive"}
    store.save_action(row)
    saved = store.get_action("act-1")
    assert saved is not None and saved.state is ActionState.DONE
    assert saved.after == {"status": "Inactive"}
    assert store.begin_action(action(action_id="act-2")) == (saved, False)


def test_saving_an_unknown_action_writes_nothing(store: Store) -> None:
    store.save_action(action(action_id="act-ghost"))
    assert store.get_action("act-ghost") is None


def test_counters_count(store: Store) -> None:
    assert store.counters() == {}
    assert store.bump("rejected.bad_json") == 1
    assert store.bump("rejected.bad_json", 2) == 3
    assert store.bump("alerts#stored") == 1
    assert store.counters() == {"rejected.bad_json": 3, "alerts#stored": 1}


def test_a_stale_copy_of_an_incident_does_not_roll_back_its_count(store: Store) -> None:
    stale = store.record_alert(alert("m1")).incident
    store.record_alert(alert("m2", occurred_at=T0 + timedelta(minutes=1)))
    stale.status = IncidentStatus.ACKNOWLEDGED
    store.save_incident(stale)
    saved = store.get_incident(stale.id)
    assert saved is not None
    assert (saved.status, saved.alert_count) == (IncidentStatus.ACKNOWLEDGED, 2)
    assert saved.last_seen == T0 + timedelta(minutes=1)


def test_alerts_sort_by_time_whatever_offset_they_carry(store: Store) -> None:
    minus_two = timezone(timedelta(hours=-2))
    later = (T0 + timedelta(minutes=30)).astimezone(minus_two)
    first = store.record_alert(alert("later", received_at=later)).incident
    store.record_alert(alert("sooner", received_at=T0 + timedelta(minutes=5)))
    assert [a.dedup_key for a in store.alerts_for(first.id)] == ["sooner", "later"]
    assert [a.dedup_key for a, _ in store.unposted_alerts()] == ["sooner", "later"]


def test_a_lease_has_one_holder_until_it_lets_go(store: Store) -> None:
    assert store.acquire_lease("deliver", "replica-a", 60)
    assert not store.acquire_lease("deliver", "replica-b", 60)
    assert store.acquire_lease("deliver", "replica-a", 60), "the holder renews"
    store.release_lease("deliver", "replica-b")
    assert not store.acquire_lease("deliver", "replica-b", 60), "only the holder lets go"
    store.release_lease("deliver", "replica-a")
    assert store.acquire_lease("deliver", "replica-b", 60)


def test_a_lease_whose_holder_died_expires(store: Store) -> None:
    assert store.acquire_lease("deliver", "crashed", -1)
    assert store.acquire_lease("deliver", "replica-b", 60)


def test_an_alert_that_cannot_be_read_back_is_quarantined_not_blocking(store: Store) -> None:
    """Finding: one unreadable row made every unposted_alerts() fail, so nothing was posted."""
    first = store.record_alert(alert("m1")).incident
    store.record_alert(alert("m2"))
    store.record_alert(alert("m3", key="ASIAQWERTYUIOPASDFGH"))
    spoil(store, "m2")

    assert [a.dedup_key for a, _ in store.unposted_alerts()] == ["m1", "m3"]
    assert [a.dedup_key for a in store.alerts_for(first.id)] == ["m1"]
    assert store.counters()["alerts.quarantined"] == 1
    assert [a.dedup_key for a, _ in store.unposted_alerts()] == ["m1", "m3"]
    assert store.counters()["alerts.quarantined"] == 1, "a quarantined row is counted once"


def test_an_alert_that_would_not_read_back_is_refused_at_write(store: Store) -> None:
    with pytest.raises(UnreadableAlert):
        store.record_alert(deep_alert("m1"))
    assert store.unposted_alerts() == []
    assert store.find_incident(ACCOUNT, KEY) is None
