"""Property test over both stores: an alert is stored and reads back, or is refused at write."""

from __future__ import annotations

import itertools
from datetime import UTC

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.models import Alert, AlertKind, Severity, TimelineEvent
from bot.store import Store, UnreadableAlert
from tests.support.json_values import DEEP, JSON, TEXT
from tests.unit.store.support import alert, deep_alert

SERIAL = itertools.count()
EVENTS = st.builds(
    TimelineEvent,
    event_id=TEXT,
    time=st.datetimes(timezones=st.just(UTC)),
    request_parameters=st.dictionaries(TEXT, JSON | DEEP, max_size=3),
)
ALERTS = st.builds(
    Alert,
    dedup_key=st.builds(lambda text: f"{next(SERIAL)}:{text}", TEXT),
    kind=st.sampled_from(AlertKind),
    title=TEXT,
    severity=st.sampled_from(Severity),
    account_id=TEXT,
    access_key_id=TEXT,
    source_ip=TEXT,
    details=st.dictionaries(TEXT, TEXT, max_size=3),
    events=st.lists(EVENTS, max_size=2),
    raw=TEXT,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ALERTS)
@example(deep_alert("deep"))
@example(alert("surrogate", title="\ud800"))
def test_an_alert_is_stored_and_read_back_or_refused_never_kept_unreadable(
    store: Store, alert: Alert
) -> None:
    try:
        incident = store.record_alert(alert).incident
    except UnreadableAlert:
        assert alert.dedup_key not in {a.dedup_key for a, _ in store.unposted_alerts()}
        return
    assert alert.dedup_key in {a.dedup_key for a in store.alerts_for(incident.id)}
    assert alert.dedup_key in {a.dedup_key for a, _ in store.unposted_alerts()}
    assert "alerts.quarantined" not in store.counters()
