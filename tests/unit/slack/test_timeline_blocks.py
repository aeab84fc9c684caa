"""The timeline in Slack: the progress line and the summary, as Block Kit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.analysis.catalog import RULES
from bot.analysis.geo import GeoIP
from bot.analysis.networks import parse_networks
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.report import DerivedKey, IpSummary, RegionProgress, RegionResult, TimelineReport
from bot.analysis.tagging import AnalysisConfig
from bot.models import Finding
from bot.slack.blocks import SUMMARY_BUDGET, text_length
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.timeline_blocks import (
    done_message,
    findings_by_phase,
    progress_message,
    progress_text,
    summary_message,
)
from bot.standins.slack_blocks import BLOCKS_TOTAL_TEXT, block_errors
from tests.conftest import SHARED_DATA
from tests.unit.analysis.support import ACCOUNT, KEY, T0, as_role, assume_role, record

ASIA = "ASIAPOIUYTREWQLKJHGF"
LONDON, CHANGCHUN = "81.2.69.142", "175.16.199.7"
SEED = ("GetCallerIdentity", "ListUsers", "ListAccessKeys", "ListRoles", "ListPolicies", "GetUser")


def _report(extra: list[dict[str, Any]] | None = None, located: bool = True) -> TimelineReport:
    """The seed's timeline; `located` places addresses with MaxMind's test database, which
    sits beside the checkout, not in it."""
    records = [
        record(
            name,
            "sts" if name == "GetCallerIdentity" else "iam",
            when=T0 + timedelta(seconds=7 * i),
            ip=LONDON,
        )
        for i, name in enumerate(SEED)
    ]
    role = f"arn:aws:iam::{ACCOUNT}:role/admin"
    records += [
        assume_role(ASIA, role_arn=role, when=T0 + timedelta(minutes=1)),
        record(
            "CreateUser",
            key=ASIA,
            ip=CHANGCHUN,
            when=T0 + timedelta(minutes=2),
            identity=as_role(ASIA, role, ACCOUNT),
        ),
        record(
            "StopLogging",
            "cloudtrail",
            key=ASIA,
            ip=CHANGCHUN,
            when=T0 + timedelta(minutes=3),
            identity=as_role(ASIA, role, ACCOUNT),
        ),
        record(
            "RunInstances",
            "ec2",
            key=ASIA,
            ip=CHANGCHUN,
            region="ap-south-1",
            when=T0 + timedelta(minutes=4),
            identity=as_role(ASIA, role, ACCOUNT),
        ),
        *(extra or []),
    ]
    geoip = (
        GeoIP.open(SHARED_DATA / "maxmind-test-db" / "GeoIP2-City-Test.mmdb") if located else None
    )
    config = AnalysisConfig(
        known_networks=tuple(parse_networks(["81.2.69.0/24"])),
        approved_regions=frozenset({"us-east-1"}),
        locator=geoip,
    )
    result = analyze(map(event_from_record, records), config, keys=[KEY])
    return TimelineReport(
        **{name: getattr(result, name) for name in type(result).__dataclass_fields__},
        key_id=KEY,
        account_id=ACCOUNT,
        start=T0 - timedelta(days=30),
        end=T0 + timedelta(hours=1),
        lookups=[
            RegionResult(region="us-east-1", account_id=ACCOUNT, key_id=KEY, events=8),
            RegionResult(
                region="eu-west-1",
                account_id=ACCOUNT,
                key_id=KEY,
                error="AccessDeniedException: explicit deny",
            ),
        ],
    )


def _text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_the_progress_line_says_region_result_and_how_far() -> None:
    done = RegionProgress(
        result=RegionResult(region="us-east-1", key_id=KEY, events=212),
        done=9,
        total=17,
        root_key=KEY,
    )
    assert progress_text(done) == "us-east-1 ✓ 212 events · 9 of 17 regions"
    failed = RegionProgress(
        result=RegionResult(region="ap-south-1", key_id=KEY, error="AccessDeniedException: no"),
        done=10,
        total=17,
        root_key=KEY,
    )
    assert progress_text(failed) == "ap-south-1 ✗ AccessDeniedException: no · 10 of 17 regions"
    derived = RegionProgress(
        result=RegionResult(region="eu-west-1", key_id=ASIA, events=1),
        done=20,
        total=34,
        root_key=KEY,
        keys=2,
    )
    assert progress_text(derived) == f"eu-west-1 ✓ 1 event ({ASIA}) · 20 of 34 lookups (2 keys)"


def test_the_progress_message_keeps_every_failure_in_view() -> None:
    failures = [RegionResult(region=f"r{i}", key_id=KEY, error="InternalFailure") for i in range(3)]
    progress = RegionProgress(
        result=RegionResult(region="us-east-1", key_id=KEY), done=4, total=17, root_key=KEY
    )
    text, blocks = progress_message(KEY, progress, failures)
    assert "4 of 17 regions" in text
    assert _text(blocks).count("InternalFailure") == 3


def test_the_summary_has_the_window_addresses_findings_keys_and_top_events() -> None:
    report = _report()
    text, blocks = summary_message(report, incident_id="inc-42")
    assert text.startswith("🔴 Timeline of ")
    body = _text(blocks)
    assert "2026-05-21 12:11:58 UTC" in body
    assert "London, GB" in body
    assert "known network" in body
    assert "Changchun, CN" in body
    assert "*unknown network*" in body
    assert "Most important events" in body
    assert "AccessDeniedException: explicit deny" in body
    assert len(blocks) <= 50


def test_findings_come_recon_first_then_persistence_privilege_evasion_impact() -> None:
    phases = [phase.label for phase, _ in findings_by_phase(_report().findings)]
    assert phases[:4] == ["Recon", "Persistence", "Defense evasion", "Impact"]
    body = _text(summary_message(_report())[1])
    order = [
        body.index(label) for label in ("*Recon*", "*Persistence*", "*Defense evasion*", "*Impact*")
    ]
    assert order == sorted(order)
    assert "recon.enumeration" in body
    assert "T1087.004" in body


def test_each_minted_key_gets_a_contain_button_for_its_own_account() -> None:
    _, blocks = summary_message(_report(), incident_id="inc-42")
    buttons = [b["accessory"] for b in blocks if "accessory" in b]
    assert [b["action_id"] for b in buttons] == [ActionId.CONTAIN_ALL.value]
    value = ButtonValue.decode(buttons[0]["value"])
    assert (value.k, value.a, value.i) == (ASIA, ACCOUNT, "inc-42")


def test_attacker_controlled_text_cannot_ping_or_break_out() -> None:
    hostile = record(
        "ListBuckets", "s3", ip="<!channel>", when=T0 + timedelta(minutes=9), errorCode="`<@U123>`"
    )
    body = _text(summary_message(_report([hostile]))[1])
    assert "<!channel>" not in body
    assert "<@U123>" not in body


def test_the_done_message_counts_events_lookups_and_failures() -> None:
    text, blocks = done_message(_report())
    assert "events from 2 lookups, 1 failed" in text
    assert text.startswith("⚠️")
    assert "explicit deny" in _text(blocks)


def test_a_timeline_with_no_events_still_reads_well() -> None:
    empty = TimelineReport(
        key_id=KEY, start=T0, end=T0, lookups=[RegionResult(region="us-east-1", key_id=KEY)]
    )
    text, blocks = summary_message(empty)
    assert "0 events" in text
    assert "No rule fired" in _text(blocks)


def _huge_report() -> TimelineReport:
    """Hundreds of findings, 40 addresses, 20 minted keys, 30 failed lookups, long texts."""
    rules = list(RULES)
    findings = [
        Finding(
            rule=rules[i % len(rules)],
            technique=RULES[rules[i % len(rules)]].technique,
            severity=RULES[rules[i % len(rules)]].severity,
            event_ids=[f"ev-{i}"],
            summary=f"finding {i}: " + "a long attacker-chosen role name " * 6,
        )
        for i in range(300)
    ]
    ips = [IpSummary(ip=f"198.51.100.{i}", events=i + 1, kind="ip", known=False) for i in range(40)]
    keys = [
        DerivedKey(
            access_key_id=f"ASIA{i:016d}",
            derived_from=KEY,
            via="AssumeRole",
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/" + "r" * 60,
        )
        for i in range(20)
    ]
    failed = [
        RegionResult(
            region=f"xx-region-{i}", key_id=KEY, error="AccessDeniedException: " + "x" * 150
        )
        for i in range(30)
    ]
    # Not located: its findings are its own, and the end-to-end story that borrows it runs
    # in a bare clone too.
    base = _report(located=False)
    return replace(base, findings=findings, ips=ips, keys=keys, lookups=failed)


def test_a_huge_timeline_summary_stays_within_what_slack_accepts() -> None:
    text, blocks = summary_message(_huge_report(), "inc-1")

    assert block_errors(blocks) == []
    assert text_length(blocks) <= SUMMARY_BUDGET < BLOCKS_TOTAL_TEXT
    assert len(blocks) <= 50
    shown = _text(blocks)
    assert "more findings — in the CSV and JSON" in shown or "more — in the CSV and JSON" in shown
    assert "the timeline is incomplete" in shown and "22 more failed" in shown
    assert "300 findings" in text and "20 minted keys" in text
