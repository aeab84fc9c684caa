"""Reading an incident's alerts in order: what is news, what only repeats, what escalates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.alerts.story import beats, phases_seen, repeats_since_news, worst
from bot.analysis.catalog import Phase
from bot.models import Alert, AlertKind, RuleId, Severity
from tests.unit.store.support import T0, alert


def call(n: int, name: str = "GetCallerIdentity", **kw: Any) -> Alert:
    rules = {
        "GetCallerIdentity": RuleId.RECON_CALLER_IDENTITY,
        "StopLogging": RuleId.DEFENSE_EVASION_LOGGING,
        "CreateAccessKey": RuleId.PERSISTENCE_ACCESS_KEY,
    }
    fields: dict[str, Any] = {
        "rule": str(rules.get(name, "")),
        "event_name": name,
        "source_ip": f"192.0.2.{n}",
        "occurred_at": T0 + timedelta(seconds=n),
        "severity": Severity.HIGH,
    }
    return alert(f"a-{n}", **(fields | kw))


def test_the_same_call_from_thirty_addresses_is_one_news_and_twenty_nine_repeats() -> None:
    told = beats([call(n) for n in range(30)])
    assert [b.news for b in told] == [True] + [False] * 29
    [group] = repeats_since_news(told)
    assert (group.count, len(group.addresses), group.since) == (29, 29, T0 + timedelta(seconds=1))


def test_a_new_rule_a_new_phase_or_a_higher_severity_is_news() -> None:
    history = [
        call(0, severity=Severity.MEDIUM),
        call(1, severity=Severity.MEDIUM),
        call(2, "CreateAccessKey"),
        call(3, severity=Severity.CRITICAL),
        call(4, "StopLogging"),
        call(5, "StopLogging"),
    ]
    told = beats(history)
    assert [b.news for b in told] == [True, False, True, True, True, False]
    assert [b.escalated for b in told] == [False, False, True, True, False, False]


def test_repeats_count_only_since_the_last_news() -> None:
    told = beats([call(0), call(1), call(2, "StopLogging"), call(3), call(4)])
    [group] = repeats_since_news(told)
    assert group.count == 2 and group.addresses == {"192.0.2.3", "192.0.2.4"}


def test_unrecognised_alerts_are_each_news() -> None:
    odd = [alert(f"u-{n}", kind=AlertKind.UNRECOGNISED, title="odd") for n in range(3)]
    assert all(b.news for b in beats(odd))


def test_the_card_is_titled_after_the_worst_alert_the_latest_among_equals() -> None:
    history = [
        call(0, severity=Severity.MEDIUM),
        call(1, "StopLogging"),
        call(2, "CreateAccessKey"),
    ]
    assert worst(history).event_name == "CreateAccessKey"
    assert worst(history[:1]).event_name == "GetCallerIdentity"


def test_phases_in_the_order_the_attacker_reached_them() -> None:
    history = [call(0), call(1, "CreateAccessKey"), call(2), call(3, "StopLogging")]
    assert phases_seen(history) == [
        (Phase.RECON, 2),
        (Phase.PERSISTENCE, 1),
        (Phase.DEFENSE_EVASION, 1),
    ]
    guardduty = alert("gd", kind=AlertKind.GUARDDUTY, rule="Persistence:IAMUser/AnomalousBehavior")
    assert phases_seen([guardduty]) == [(Phase.PERSISTENCE, 1)]
