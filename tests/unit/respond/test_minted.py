"""Sessions minted before the cut-off: found in CloudTrail, usable or not by whose they are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import boto3
import pytest

from bot.analysis.chains import minted_key
from bot.analysis.records import event_from_record
from bot.aws.sessions import Sessions
from bot.domain.policies import DENY_ALL, deny_all, policy_json, revoke_sessions
from bot.models import ActionKind
from bot.respond.blast_radius import BlastRadii
from bot.respond.keyreport import build_key_report
from bot.respond.minted import Denies, expiry, judge, revoked_before
from bot.respond.verify import ContainmentCheck
from bot.standins.cloudtrail import CloudTrailStandIn, call_record
from tests.support.aws import seed_leaked_user
from tests.unit.analysis.support import cloudtrail_standin

USER = "app-integration-user"
SESSION_KEY = "ASIAPOIUYTREWQLKJHGF"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def get_session_token(key: str, when: datetime, expiration: str | None = None) -> dict[str, Any]:
    record = call_record(
        key,
        "GetSessionToken",
        when=when,
        source_ip="198.51.100.50",
        region="us-east-1",
        account_id="123456789012",
        user_name=USER,
        event_source="sts.amazonaws.com",
    )
    credentials: dict[str, Any] = {"accessKeyId": SESSION_KEY}
    if expiration:
        credentials["expiration"] = expiration
    record["responseElements"] = {"credentials": credentials}
    return record


def minted(when: datetime, expiration: str | None = None) -> Any:
    found = minted_key(
        event_from_record(get_session_token("AKIAQWERTYUIOPASDFGH", when, expiration))
    )
    assert found is not None
    return found


def test_a_session_ends_when_cloudtrail_says_else_after_its_calls_default() -> None:
    assert expiry(minted(NOW, "Dec 2, 2026, 12:00:00 AM")) == datetime(2026, 12, 2, tzinfo=UTC)
    assert expiry(minted(NOW)) == NOW + timedelta(hours=12)


def test_a_users_session_is_stopped_by_deny_all_or_a_revocation_after_it_was_minted() -> None:
    session = minted(NOW - timedelta(hours=1))

    assert judge(session, Denies(deny_all=False, revoked_before=None), NOW).usable
    assert not judge(session, Denies(deny_all=True, revoked_before=None), NOW).usable
    revoked = judge(session, Denies(deny_all=False, revoked_before=NOW), NOW)
    assert not revoked.usable and revoked.why == "revoked on the user"
    assert judge(
        session, Denies(deny_all=False, revoked_before=NOW - timedelta(hours=2)), NOW
    ).usable
    assert not judge(minted(NOW - timedelta(hours=13)), None, NOW).usable
    unknown = judge(session, None, NOW)
    assert unknown.usable and "could not be read" in unknown.why


def test_the_revocations_cut_off_is_read_from_its_document() -> None:
    assert revoked_before(revoke_sessions(NOW)) == NOW
    assert revoked_before(deny_all()) is None and revoked_before(None) is None


@pytest.fixture
def trail(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        yield standin


def test_verify_names_a_session_minted_before_the_cut_off_until_deny_all_stops_it(
    aws: boto3.Session, trail: CloudTrailStandIn
) -> None:
    iam = aws.client("iam")
    _, key = seed_leaked_user(iam, USER)
    key_id = key["AccessKeyId"]
    trail.add_records(
        "us-east-1", [get_session_token(key_id, datetime.now(UTC) - timedelta(hours=1))]
    )
    sessions = Sessions(region="us-east-1")
    check = ContainmentCheck(sessions, partial(build_key_report, sessions), BlastRadii(sessions))

    [session] = check.verify(key_id).sessions
    items = [i for i in check.verify(key_id).open_items if SESSION_KEY in i.what]
    assert session.usable and session.via == "GetSessionToken"
    assert [(i.action, i.key_id) for i in items] == [(ActionKind.REVOKE_SESSIONS, key_id)]
    assert "usable until" in items[0].what

    iam.put_user_policy(UserName=USER, PolicyName=DENY_ALL, PolicyDocument=policy_json(deny_all()))
    [stopped] = check.verify(key_id).sessions
    assert not stopped.usable and stopped.why == "deny-all on the user"
