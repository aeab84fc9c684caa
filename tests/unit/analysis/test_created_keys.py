"""Keys made with CreateAccessKey are followed like STS keys: the backdoor two generations deep."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.analysis.chains import minted_key
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.sweep import Source, select_events
from bot.analysis.tagging import AnalysisConfig
from bot.cli.main import main
from bot.models import RuleId
from tests.unit.analysis.support import KEY, T0, as_user, create_access_key, record

GEN1 = "AKIAGENERATIONONE234"
GEN2 = "AKIAGENERATIONTWO567"
MINUTE = timedelta(minutes=1)


def _created_later() -> list[dict[str, Any]]:
    """What the backdoor key of the second generation did: the attack's last steps."""
    backdoor = as_user(GEN2, "backdoor")
    return [
        record(
            "AttachUserPolicy",
            key=GEN2,
            when=T0 + 4 * MINUTE,
            identity=backdoor,
            requestParameters={
                "userName": "backdoor",
                "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
            },
        ),
        record(
            "StopLogging",
            "cloudtrail",
            key=GEN2,
            when=T0 + 5 * MINUTE,
            identity=backdoor,
            requestParameters={"name": "management-events"},
        ),
    ]


def _leak() -> list[dict[str, Any]]:
    """The leaked key makes a key for admin-user; that key makes a user and a key for it."""
    admin = as_user(GEN1, "admin-user")
    return [
        record("ListUsers"),
        create_access_key(GEN1, "admin-user", when=T0 + MINUTE),
        record(
            "CreateUser",
            key=GEN1,
            when=T0 + 2 * MINUTE,
            identity=admin,
            requestParameters={"userName": "backdoor"},
        ),
        create_access_key(GEN2, "backdoor", key=GEN1, when=T0 + 3 * MINUTE, identity=admin),
        record("ListBuckets", "s3", key="AKIAUNRELATEDKEYXXXX", when=T0 + 6 * MINUTE),
    ]


def _events() -> list[Any]:
    return [event_from_record(r) for r in [*_leak(), *_created_later()]]


def test_the_key_a_create_access_key_returned_and_whose_it_is() -> None:
    minted = minted_key(event_from_record(create_access_key(GEN1, "admin-user")))
    assert minted is not None
    assert (minted.key_id, minted.user_name, minted.account_id) == (
        GEN1,
        "admin-user",
        "123456789012",
    )
    failed = {**create_access_key(GEN1, "admin-user"), "errorCode": "LimitExceeded"}
    assert minted_key(event_from_record(failed)) is None


def test_a_backdoor_key_two_generations_deep_is_listed_and_its_events_tagged() -> None:
    result = analyze(_events(), AnalysisConfig(), keys=[KEY])
    assert [(k.access_key_id, k.derived_from, k.how, k.user_name) for k in result.keys] == [
        (GEN1, KEY, "CreateAccessKey", "admin-user"),
        (GEN2, GEN1, "CreateAccessKey", "backdoor"),
    ]
    made_with_gen2 = [e for e in result.events if e.access_key_id == GEN2]
    assert [e.event_name for e in made_with_gen2] == ["AttachUserPolicy", "StopLogging"]
    assert all(e.chain == [KEY, GEN1, GEN2] for e in made_with_gen2)
    tags = {tag for e in made_with_gen2 for tag in e.tags}
    assert {RuleId.PRIVESC_POLICY, RuleId.DEFENSE_EVASION_LOGGING} <= tags
    assert {f.rule for f in result.findings} >= {RuleId.PERSISTENCE_USER, RuleId.PRIVESC_POLICY}
    assert all(e.access_key_id != "AKIAUNRELATEDKEYXXXX" for e in result.events)


def test_the_file_sweep_finds_a_created_keys_records_in_files_read_before_it() -> None:
    """The backdoor's calls sit in a file scanned before the one where it was made."""
    later = json.dumps({"Records": _created_later()}).encode()
    leak = json.dumps({"Records": _leak()}).encode()
    sources = [Source("a.json", lambda: later), Source("b.json", lambda: leak)]
    kept = select_events(sources, {KEY}, jobs=1)
    assert {e.event_name for e in kept if e.access_key_id == GEN2} == {
        "AttachUserPolicy",
        "StopLogging",
    }
    narrowed = analyze(kept, AnalysisConfig(), keys=[KEY])
    full = analyze(_events(), AnalysisConfig(), keys=[KEY])
    assert [e.event_id for e in narrowed.events] == [e.event_id for e in full.events]


def test_analyze_json_names_how_each_key_was_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "trail.json").write_text(json.dumps({"Records": [*_leak(), *_created_later()]}))
    assert main(["analyze", str(tmp_path / "trail.json"), "--key", KEY, "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["keys"] == [
        {"access_key_id": GEN1, "derived_from": KEY, "how": "CreateAccessKey"},
        {"access_key_id": GEN2, "derived_from": GEN1, "how": "CreateAccessKey"},
    ]
    stop = next(e for e in body["events"] if e["event_name"] == "StopLogging")
    assert stop["access_key_id"] == GEN2
    assert "defense_evasion.logging" in stop["tags"]
