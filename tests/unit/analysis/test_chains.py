"""Minted keys followed to a bounded depth, and one timeline from many sources."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.analysis.chains import account_of, follow_chains, minted_key
from bot.analysis.merge import merge_events
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.sweep import Source, select_events
from bot.analysis.tagging import AnalysisConfig
from bot.models import TimelineEvent
from tests.conftest import SHARED_DATA
from tests.unit.analysis.support import ACCOUNT, KEY, T0, as_role, assume_role, event, record

ASIA1, ASIA2, ASIA3, ASIA4 = (f"ASIA{c * 16}" for c in "BCDE")
ROLE_B = "arn:aws:iam::210987654321:role/deploy"


def _chain_records() -> list[dict[str, object]]:
    """KEY → ASIA1 → ASIA2 → ASIA3 → ASIA4: chained four deep, the second hop cross-account."""
    minute = timedelta(minutes=1)
    return [
        record("ListUsers"),
        assume_role(ASIA1, when=T0 + minute),
        record(
            "ListRoles",
            key=ASIA1,
            when=T0 + 2 * minute,
            identity=as_role(ASIA1, f"arn:aws:iam::{ACCOUNT}:role/admin", ACCOUNT),
        ),
        assume_role(ASIA2, key=ASIA1, role_arn=ROLE_B, when=T0 + 3 * minute),
        record(
            "CreateUser",
            key=ASIA2,
            when=T0 + 4 * minute,
            account="210987654321",
            identity=as_role(ASIA2, ROLE_B, "210987654321"),
        ),
        assume_role(ASIA3, key=ASIA2, when=T0 + 5 * minute, account="210987654321"),
        assume_role(ASIA4, key=ASIA3, when=T0 + 6 * minute),
        record("RunInstances", "ec2", key=ASIA4, when=T0 + 7 * minute),
        record("ListUsers", key="AKIAUNRELATEDKEYXXXX", when=T0 + 8 * minute),
    ]


def _events() -> list[TimelineEvent]:
    return [event_from_record(r) for r in _chain_records()]


def test_the_key_an_assume_role_returned_and_where_it_lives() -> None:
    minted = minted_key(event_from_record(assume_role(ASIA2, role_arn=ROLE_B)))
    assert minted is not None
    assert (minted.key_id, minted.account_id, minted.role_arn, minted.session_name) == (
        ASIA2,
        "210987654321",
        ROLE_B,
        "pivot",
    )


def test_a_failed_assume_role_mints_nothing() -> None:
    denied = event_from_record({**assume_role(ASIA1), "errorCode": "AccessDenied"})
    assert minted_key(denied) is None


def test_role_chaining_from_the_aws_docs_example() -> None:
    sample = json.loads(
        (SHARED_DATA / "aws-docs-samples/events/iam-ug_AssumeRole_3.json").read_text()
    )
    chained = event_from_record(sample["Records"][0])
    assert chained.principal_type == "AssumedRole"
    minted = minted_key(chained)
    assert minted is not None
    assert minted.key_id == "ASIAWHOJDLGPOEXAMPLE"


def test_chains_are_followed_to_the_depth_and_every_event_knows_its_path() -> None:
    result = analyze(_events(), AnalysisConfig(), keys=[KEY], depth=3)
    assert [k.access_key_id for k in result.keys] == [ASIA1, ASIA2, ASIA3]
    assert result.keys[1].account_id == "210987654321"
    by_name = {e.event_name: e for e in result.events}
    assert by_name["CreateUser"].chain == [KEY, ASIA1, ASIA2]
    assert "RunInstances" not in by_name  # ASIA4 is four hops away
    assert all(e.access_key_id != "AKIAUNRELATEDKEYXXXX" for e in result.events)


def test_the_depth_bound_is_honoured_at_every_setting() -> None:
    for depth, reached in [(0, []), (1, [ASIA1]), (4, [ASIA1, ASIA2, ASIA3, ASIA4])]:
        chains = follow_chains(_events(), [KEY], depth)
        assert [k.access_key_id for k in chains.derived] == reached


def test_the_raw_prefilter_keeps_exactly_what_the_analysis_keeps() -> None:
    blob = json.dumps({"Records": _chain_records()}).encode()
    kept = select_events([Source("one.json", lambda: blob)], {KEY}, depth=3)
    full = analyze(_events(), AnalysisConfig(), keys=[KEY], depth=3)
    narrowed = analyze(kept, AnalysisConfig(), keys=[KEY], depth=3)
    assert [e.event_id for e in narrowed.events] == [e.event_id for e in full.events]


def test_without_keys_every_key_is_analysed() -> None:
    result = analyze(_events(), AnalysisConfig())
    assert len(result.events) == len(_chain_records())


def test_cross_account_arns() -> None:
    assert account_of(ROLE_B) == "210987654321"
    assert account_of("arn:aws:sts::111122223333:assumed-role/x/y") == "111122223333"
    assert account_of("not-an-arn") == ""


# -- merging --------------------------------------------------------------------------------


def test_the_same_event_from_two_sources_appears_once_in_time_order() -> None:
    late, early = event("ListRoles", when=T0 + timedelta(seconds=9)), event("ListUsers")
    merged = merge_events([late, early], [event("ListUsers")])
    assert [e.event_name for e in merged] == ["ListUsers", "ListRoles"]


def test_reused_event_ids_with_different_contents_are_all_kept_with_unique_ids() -> None:
    reused = [
        event("ConsoleLogin", "signin", eventID="1"),
        event("StopLogging", "cloudtrail", eventID="1", when=T0 + timedelta(minutes=1)),
        event("StopLogging", "cloudtrail", eventID="1", when=T0 + timedelta(minutes=1)),
    ]
    merged = merge_events(reused)
    assert [e.event_name for e in merged] == ["ConsoleLogin", "StopLogging"]
    assert len({e.event_id for e in merged}) == 2
    assert all(e.event_id.startswith("sha256:") for e in merged)
