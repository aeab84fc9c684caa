"""The thread: news posted and broadcast, repeats in one reply edited in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.ingest.pipeline import Ingest
from bot.ingest.thread import mention
from bot.models import RuleId, Severity, utcnow
from bot.standins.slack import SlackStandIn
from tests.unit.store.support import T0, alert

KEY = "AKIAQWERTYUIOPASDFGH"


def record(ingest: Ingest, n: int, name: str = "GetCallerIdentity", **kw: Any) -> None:
    """Stored and not yet delivered, as `accept` leaves it."""
    rule = {"GetCallerIdentity": RuleId.RECON_CALLER_IDENTITY}.get(
        name, RuleId.DEFENSE_EVASION_LOGGING
    )
    fields: dict[str, Any] = {
        "rule": str(rule),
        "event_name": name,
        "title": f"{name} by the key",
        "source_ip": f"192.0.2.{n}",
        "severity": Severity.HIGH,
        "received_at": T0 + timedelta(seconds=n),
    }
    ingest.store.record_alert(alert(f"a-{n}", key=KEY, **(fields | kw)))


def thread(slack: SlackStandIn) -> list[dict[str, Any]]:
    [card, *_] = slack.channel_messages("C0ALERTS")
    return slack.thread("C0ALERTS", card["ts"])[1:]


def test_repeats_edit_one_digest_reply_and_news_starts_a_new_one(
    ingest: Ingest, slack: SlackStandIn
) -> None:
    record(ingest, 0)
    ingest.deliver()
    for n in range(1, 4):
        record(ingest, n)
        ingest.deliver()
    [digest] = thread(slack)
    assert digest["text"].startswith("3 more GetCallerIdentity from 3 addresses since")
    assert len(slack.calls_to("chat.postMessage")) == 2

    record(ingest, 4, "StopLogging")
    record(ingest, 5)
    ingest.deliver()
    [_, news, second] = thread(slack)
    assert news["subtype"] == "thread_broadcast" and "StopLogging" in news["text"]
    assert second["text"].startswith("1 more GetCallerIdentity")


def test_while_acknowledged_repeats_wait_but_news_is_posted(
    ingest: Ingest, slack: SlackStandIn
) -> None:
    record(ingest, 0)
    ingest.deliver()
    incident = ingest.store.find_incident("123456789012", KEY)
    assert incident is not None
    ingest.store.save_incident(
        incident.model_copy(update={"snoozed_until": utcnow() + timedelta(hours=1)})
    )
    record(ingest, 1)
    ingest.deliver()
    assert thread(slack) == []
    record(ingest, 2, "StopLogging", severity=Severity.CRITICAL)
    ingest.deliver()
    [news] = thread(slack)
    assert "StopLogging" in news["text"]


def test_a_step_up_to_critical_calls_the_escalation_group(
    ingest: Ingest, slack: SlackStandIn
) -> None:
    ingest.settings.escalation_group = "S0ONCALL"
    record(ingest, 0, severity=Severity.MEDIUM)
    ingest.deliver()
    record(ingest, 1, "StopLogging", severity=Severity.HIGH)
    record(ingest, 2, "DeleteTrail", severity=Severity.HIGH)
    ingest.deliver()
    [up, same] = thread(slack)
    assert up["text"].startswith("<!subteam^S0ONCALL>")
    assert "subteam" not in same["text"]


def test_a_malformed_group_mentions_nobody() -> None:
    assert mention("S0ONCALL") == "<!subteam^S0ONCALL>"
    assert mention("") == mention("here>") == mention("<!channel>") == ""


def test_a_digest_slack_no_longer_has_is_posted_anew(ingest: Ingest, slack: SlackStandIn) -> None:
    record(ingest, 0)
    ingest.deliver()
    record(ingest, 1)
    ingest.deliver()
    [digest] = thread(slack)
    slack.refuse("chat.update", lambda p: p.get("ts") == digest["ts"], "message_not_found")
    record(ingest, 2)
    ingest.deliver()
    [_, again] = thread(slack)
    assert again["text"].startswith("2 more GetCallerIdentity from 2 addresses")
    incident = ingest.store.find_incident("123456789012", KEY)
    assert incident is not None and incident.digest_ts == again["ts"]
