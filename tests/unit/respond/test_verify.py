"""Does containment hold: each way in that stays open is named, with what closes it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from bot.cli.main import main
from bot.domain.policies import DENY_ALL, REVOKE_SESSIONS, deny_all, policy_json, revoke_sessions
from bot.models import ActionKind, BlastRadius, KeyKind, KeyReport, utcnow
from bot.respond.verify import notes, open_items
from bot.standins.cloudtrail import CloudTrailStandIn
from tests.support.aws import seed_leaked_user
from tests.unit.analysis.support import cloudtrail_standin

KEY = "AKIAQWERTYUIOPASDFGH"
OTHER = "AKIAZXCVBNMLKJHGFDSA"
USER = "app-integration-user"
NOTHING = BlastRadius(principal="123456789012/user/u")


def contained(**changes: object) -> KeyReport:
    fields: dict[str, object] = {
        "access_key_id": KEY,
        "kind": KeyKind.LONG_TERM,
        "account_id": "123456789012",
        "user_name": USER,
        "status": "Inactive",
        "deny_all_attached": True,
        "revoke_attached": True,
    }
    return KeyReport.model_validate(fields | changes)


def test_a_fully_contained_key_leaves_nothing_open() -> None:
    assert open_items(contained(), {KEY: "Inactive"}, False, NOTHING) == []


def test_each_way_in_is_named_with_what_closes_it() -> None:
    report = contained(status="Active", deny_all_attached=False, revoke_attached=False)
    risky = NOTHING.model_copy(update={"admin_equivalent": True})

    items = open_items(report, {KEY: "Active", OTHER: "Active"}, True, risky)

    assert [(i.action, i.key_id) for i in items] == [
        (ActionKind.DEACTIVATE_KEY, KEY),
        (ActionKind.DEACTIVATE_KEY, OTHER),
        (ActionKind.DISABLE_CONSOLE_LOGIN, KEY),
        (ActionKind.REVOKE_SESSIONS, KEY),
        (ActionKind.ATTACH_DENY_ALL, KEY),
    ]
    assert "console password" in items[2].what
    assert "everything (admin-equivalent)" in items[4].what


def test_policies_that_could_not_be_read_keep_it_open() -> None:
    broken = NOTHING.model_copy(update={"error": "AccessDenied: iam:ListGroupsForUser"})
    [item] = open_items(contained(), {KEY: "Inactive"}, False, broken)
    assert "could not be read" in item.what and item.action is None


@pytest.fixture
def trail(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailStandIn]:
    """LookupEvents for the minted sessions (moto has none)."""
    with cloudtrail_standin(monkeypatch) as standin:
        yield standin


def test_keycheck_verify_reads_moto_and_exits_by_the_verdict(
    aws: boto3.Session, trail: CloudTrailStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    iam = aws.client("iam")
    _, key = seed_leaked_user(iam, USER)
    key_id = key["AccessKeyId"]

    assert main(["verify", key_id]) == 1
    assert "Still open" in capsys.readouterr().out

    iam.update_access_key(UserName=USER, AccessKeyId=key_id, Status="Inactive")
    iam.put_user_policy(UserName=USER, PolicyName=DENY_ALL, PolicyDocument=policy_json(deny_all()))
    document = policy_json(revoke_sessions(utcnow()))
    iam.put_user_policy(UserName=USER, PolicyName=REVOKE_SESSIONS, PolicyDocument=document)
    assert main(["verify", key_id, "--format", "json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["open_items"] == [] and verdict["keys"] == {key_id: "Inactive"}


def test_under_deny_all_a_second_key_and_a_password_are_told_but_cannot_act() -> None:
    report = contained()

    items = open_items(report, {KEY: "Inactive", OTHER: "Active"}, True, NOTHING)
    left = notes(report, {KEY: "Inactive", OTHER: "Active"}, True)

    assert items == []
    assert [(i.action, i.key_id) for i in left] == [
        (ActionKind.DEACTIVATE_KEY, OTHER),
        (ActionKind.DISABLE_CONSOLE_LOGIN, KEY),
    ]
    assert "deny-all denies every action" in left[1].what
    assert notes(contained(deny_all_attached=False), {KEY: "Inactive"}, True) == []
