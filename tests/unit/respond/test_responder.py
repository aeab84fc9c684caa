"""The response pipeline against moto: contained once, read back, recorded, and undone exactly."""

from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.aws.sessions import Sessions
from bot.domain.actions import action_key
from bot.domain.policies import policy_json
from bot.errors import NotAuthorized
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Alert,
    AlertKind,
    KeyReport,
    OutcomeStatus,
)
from bot.respond.autocontain import AutoContainer, auto_contain_entry
from bot.respond.keyreport import build_key_report
from bot.respond.responder import Responder
from bot.store import SqliteStore
from tests.support.aws import count_calls, fail_first, seed_leaked_user

A = ActionKind
ACCOUNT = "123456789012"
USER = "app-integration-user"
SESSION_KEY = "ASIAQWERTYUIOPASDFGH"
TRUST = '{"Version":"2012-10-17","Statement":[]}'
EXISTING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 21, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "keycheck.sqlite3")


@pytest.fixture
def updates(aws: boto3.Session) -> Any:
    return count_calls(aws.events, "iam.UpdateAccessKey")


@pytest.fixture
def iam(aws: boto3.Session, updates: Any) -> Any:
    return aws.client("iam")


@pytest.fixture
def key(iam: Any) -> str:
    return str(seed_leaked_user(iam)[1]["AccessKeyId"])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def responder(store: SqliteStore, aws: boto3.Session, clock: Clock) -> Responder:
    return Responder(store, Sessions(aws), clock=clock)


def key_status(iam: Any, key_id: str) -> str:
    keys = iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
    return str(next(k["Status"] for k in keys if k["AccessKeyId"] == key_id))


def user_policy(iam: Any, name: str) -> dict[str, Any] | None:
    if name not in iam.list_user_policies(UserName=USER)["PolicyNames"]:
        return None
    return dict(iam.get_user_policy(UserName=USER, PolicyName=name)["PolicyDocument"])


def contain(
    responder: Responder, key_id: str, action: ActionKind = A.CONTAIN_ALL, **kw: Any
) -> Any:
    fields: dict[str, Any] = {"actor": "U0ALICE", "reason": "key on GitHub", "incident_id": "inc-1"}
    return responder.request(action, key_id, ACCOUNT, **(fields | kw))


def test_contain_all_contains_the_key_and_records_every_step(
    responder: Responder, iam: Any, key: str, store: SqliteStore
) -> None:
    outcome = contain(responder, key)
    assert outcome.status is OutcomeStatus.DONE
    assert key_status(iam, key) == "Inactive"
    deny, revoke = outcome.plan[1], outcome.plan[2]
    assert user_policy(iam, "keycheck-deny-all") == deny.policy_document
    assert user_policy(iam, "keycheck-revoke-sessions") == revoke.policy_document
    log = store.actions_for("inc-1")
    parent = log[0]
    assert (parent.action, parent.state, parent.actor) == (
        A.CONTAIN_ALL,
        ActionState.DONE,
        "U0ALICE",
    )
    steps = log[1:]
    assert [s.action for s in steps] == [A.DEACTIVATE_KEY, A.ATTACH_DENY_ALL, A.REVOKE_SESSIONS]
    assert {s.parent_id for s in steps} == {parent.id}
    assert all(s.state is ActionState.DONE and s.aws_request_id for s in steps)
    assert steps[0].before["status"] == "Active"
    assert steps[0].after["status"] == "Inactive"
    assert steps[1].after["document"] == deny.policy_document
    assert "• access key" in outcome.message
    assert "keycheck-deny-all on user/app-integration-user: absent → present" in outcome.message


def test_a_repeated_request_calls_iam_once(responder: Responder, key: str, updates: Any) -> None:
    first = contain(responder, key, A.DEACTIVATE_KEY)
    again = contain(responder, key, A.DEACTIVATE_KEY, actor="U0BOB")
    assert first.status is OutcomeStatus.DONE
    assert again.status is OutcomeStatus.ALREADY
    assert again.message.startswith("Already done by U0ALICE at 2026-05-21 12:00:00 UTC")
    assert again.record is not None
    assert first.record is not None
    assert again.record.id == first.record.id
    assert len(updates) == 1


def test_two_responders_at_once_run_it_once(
    responder: Responder, iam: Any, key: str, updates: Any
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def press(actor: str) -> None:
        barrier.wait()
        outcomes.append(contain(responder, key, A.DEACTIVATE_KEY, actor=actor))

    threads = [threading.Thread(target=press, args=(a,)) for a in ("U0ALICE", "U0BOB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.status for o in outcomes) == [OutcomeStatus.ALREADY, OutcomeStatus.DONE]
    assert len(updates) == 1
    assert key_status(iam, key) == "Inactive"


def test_a_button_after_contain_all_finds_its_step(
    responder: Responder, key: str, updates: Any
) -> None:
    contain(responder, key)
    again = contain(responder, key, A.ATTACH_DENY_ALL, actor="U0BOB")
    assert again.status is OutcomeStatus.ALREADY
    assert again.record is not None
    assert again.record.parent_id
    assert len(updates) == 1


def test_undo_restores_the_exact_prior_state(
    responder: Responder, iam: Any, key: str, store: SqliteStore
) -> None:
    iam.update_access_key(UserName=USER, AccessKeyId=key, Status="Inactive")
    iam.put_user_policy(
        UserName=USER, PolicyName="keycheck-deny-all", PolicyDocument=policy_json(EXISTING)
    )
    done = contain(responder, key)
    assert user_policy(iam, "keycheck-deny-all") != EXISTING
    assert done.record is not None
    undone = responder.undo(done.record.id, actor="U0BOB", reason="false positive")
    assert undone.status is OutcomeStatus.DONE
    assert key_status(iam, key) == "Inactive"
    assert user_policy(iam, "keycheck-deny-all") == EXISTING
    assert user_policy(iam, "keycheck-revoke-sessions") is None
    states = {r.action: r.state for r in store.actions_for("inc-1") if not r.undo_of}
    assert set(states.values()) == {ActionState.UNDONE}
    undo_records = [r for r in store.actions_for("inc-1") if r.undo_of]
    assert len(undo_records) == 4
    assert {r.actor for r in undo_records} == {"U0BOB"}
    assert responder.undo(done.record.id, actor="U0BOB", reason="again").status is (
        OutcomeStatus.ALREADY
    )


def test_undo_reactivates_a_key_that_was_active(responder: Responder, iam: Any, key: str) -> None:
    done = contain(responder, key, A.DEACTIVATE_KEY)
    assert done.record is not None
    responder.undo(done.record.id, actor="U0ALICE", reason="rotated instead")
    assert key_status(iam, key) == "Active"


def test_after_an_undo_asking_again_runs_again(
    responder: Responder, iam: Any, key: str, updates: Any
) -> None:
    first = contain(responder, key, A.DEACTIVATE_KEY)
    assert first.record is not None
    responder.undo(first.record.id, actor="U0ALICE", reason="wrong key")
    second = contain(responder, key, A.DEACTIVATE_KEY)
    assert second.status is OutcomeStatus.DONE
    assert second.record is not None
    assert second.record.id != first.record.id
    assert len(updates) == 3
    assert key_status(iam, key) == "Inactive"


def test_throttled_iam_recovers(aws: boto3.Session, responder: Responder, key: str) -> None:
    calls = fail_first(aws.events, "iam.UpdateAccessKey", "Throttling", times=2)
    outcome = contain(responder, key, A.DEACTIVATE_KEY)
    assert outcome.status is OutcomeStatus.DONE
    assert len(calls) == 3
    assert key_status(aws.client("iam"), key) == "Inactive"


def test_a_refused_call_is_recorded_and_may_be_asked_again(
    aws: boto3.Session, responder: Responder, iam: Any, key: str
) -> None:
    fail_first(aws.events, "iam.PutUserPolicy", "AccessDenied", times=1, status=403)
    failed = contain(responder, key, A.ATTACH_DENY_ALL)
    assert failed.status is OutcomeStatus.FAILED
    assert failed.record is not None
    assert failed.record.error.startswith("PutUserPolicy: AccessDenied")
    assert user_policy(iam, "keycheck-deny-all") is None
    retried = contain(responder, key, A.ATTACH_DENY_ALL)
    assert retried.status is OutcomeStatus.DONE
    assert user_policy(iam, "keycheck-deny-all") is not None


def test_a_crash_between_request_and_result_is_reported_in_doubt(
    responder: Responder, store: SqliteStore, clock: Clock, iam: Any, key: str, updates: Any
) -> None:
    crashed = ActionRecord(
        id="act-crashed",
        idempotency_key=action_key(A.DEACTIVATE_KEY, ACCOUNT, key, 0),
        action=A.DEACTIVATE_KEY,
        actor="U0ALICE",
        target=key,
        account_id=ACCOUNT,
        requested_at=clock.now,
        updated_at=clock.now,
    )
    store.begin_action(crashed)
    running = contain(responder, key, A.DEACTIVATE_KEY, actor="U0BOB")
    assert running.status is OutcomeStatus.ALREADY
    assert "still running" in running.message
    clock.now += timedelta(minutes=6)
    doubt = contain(responder, key, A.DEACTIVATE_KEY, actor="U0BOB")
    assert doubt.status is OutcomeStatus.IN_DOUBT
    assert "State now: key Active, keycheck-deny-all absent" in doubt.message
    assert len(updates) == 0
    settled = store.get_action("act-crashed")
    assert settled is not None
    assert settled.state is ActionState.FAILED
    assert contain(responder, key, A.DEACTIVATE_KEY).status is OutcomeStatus.DONE
    assert key_status(iam, key) == "Inactive"


def test_four_eyes_waits_for_someone_else(responder: Responder, iam: Any, key: str) -> None:
    asked = contain(responder, key, A.DEACTIVATE_KEY, require_approval=True)
    assert asked.status is OutcomeStatus.AWAITING_APPROVAL
    assert asked.plan[0].key_status == "Inactive"
    assert asked.record is not None
    assert key_status(iam, key) == "Active"
    with pytest.raises(NotAuthorized):
        responder.approve(asked.record.id, "U0ALICE")
    approved = responder.approve(asked.record.id, "U0BOB")
    assert approved.status is OutcomeStatus.DONE
    assert approved.record is not None
    assert approved.record.approved_by == "U0BOB"
    assert key_status(iam, key) == "Inactive"
    assert responder.approve(asked.record.id, "U0CAROL").status is OutcomeStatus.ALREADY


def test_the_wrong_account_changes_nothing(responder: Responder, iam: Any, key: str) -> None:
    outcome = responder.request(
        A.DEACTIVATE_KEY, key, "999999999999", actor="U0ALICE", reason="typo"
    )
    assert outcome.status is OutcomeStatus.FAILED
    assert "belongs to account 123456789012, not 999999999999" in outcome.message
    assert key_status(iam, key) == "Active"


def test_a_deleted_key_fails_with_the_reason(responder: Responder, iam: Any, key: str) -> None:
    iam.delete_access_key(UserName=USER, AccessKeyId=key)
    outcome = contain(responder, key)
    assert outcome.status is OutcomeStatus.FAILED
    assert "does not exist in account" in outcome.message


def role_session_responder(store: SqliteStore, aws: boto3.Session, role_arn: str) -> Responder:
    sessions = Sessions(aws)

    def report(key_id: str) -> KeyReport:
        return build_key_report(
            sessions,
            key_id,
            cloudtrail_origin=lambda a, k: KeyReportOrigin(role_arn),
        )

    return Responder(store, sessions, key_report=report)


class KeyReportOrigin:
    def __init__(self, role_arn: str) -> None:
        self.role_arn = role_arn
        self.session_name = "i-0abc"
        self.minted_by_key = ""
        self.minted_at = None


def test_contain_all_for_a_role_session_acts_on_the_role(
    store: SqliteStore, aws: boto3.Session, iam: Any
) -> None:
    role = iam.create_role(RoleName="web-instance", AssumeRolePolicyDocument=TRUST)["Role"]
    responder = role_session_responder(store, aws, role["Arn"])
    outcome = contain(responder, SESSION_KEY)
    assert outcome.status is OutcomeStatus.DONE
    policies = iam.list_role_policies(RoleName="web-instance")["PolicyNames"]
    assert sorted(policies) == ["keycheck-deny-all", "keycheck-revoke-sessions"]
    refused = contain(responder, SESSION_KEY, A.DEACTIVATE_KEY)
    assert refused.status is OutcomeStatus.FAILED
    assert "cannot be deactivated" in refused.message


def exposed(key_id: str, **kw: Any) -> Alert:
    fields: dict[str, Any] = {
        "dedup_key": "health-1",
        "kind": AlertKind.HEALTH,
        "title": "Your AWS access key is exposed",
        "rule": "AWS_RISK_CREDENTIALS_EXPOSED",
        "account_id": ACCOUNT,
        "access_key_id": key_id,
    }
    return Alert.model_validate(fields | kw)


def auto(responder: Responder, entries: list[str]) -> AutoContainer:
    """Auto-containment's decision and actions; posting its result is tested end to end."""
    return AutoContainer(responder, entries)


def test_auto_containment_deactivates_and_denies(
    responder: Responder, iam: Any, key: str, store: SqliteStore
) -> None:
    incident = store.record_alert(exposed(key)).incident
    outcomes = auto(responder, ["health:AWS_RISK_CREDENTIALS_EXPOSED"]).contain(
        exposed(key), incident.id
    )
    assert [o.status for o in outcomes] == [OutcomeStatus.DONE, OutcomeStatus.DONE]
    assert key_status(iam, key) == "Inactive"
    assert user_policy(iam, "keycheck-deny-all") is not None
    assert user_policy(iam, "keycheck-revoke-sessions") is None
    log = store.actions_for(incident.id)
    assert {(r.actor, r.source) for r in log} == {("keycheck", "auto")}
    assert (
        log[0].reason == "auto-containment: the alert matched `health:AWS_RISK_CREDENTIALS_EXPOSED`"
    )


def test_alerts_not_listed_are_left_to_humans(responder: Responder, iam: Any, key: str) -> None:
    assert auto(responder, []).contain(exposed(key), "inc-1") == []
    other = auto(responder, ["guardduty:Recon:IAMUser/MaliciousIPCaller"])
    assert other.contain(exposed(key), "inc-1") == []
    assert key_status(iam, key) == "Active"


def test_auto_contain_matching_rule() -> None:
    finding = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"
    alert = exposed(SESSION_KEY, kind=AlertKind.GUARDDUTY, rule="", details={"type": finding})
    assert auto_contain_entry(alert, [f"guardduty:{finding}"]) == f"guardduty:{finding}"
    short = "guardduty:InstanceCredentialExfiltration.OutsideAWS"
    assert auto_contain_entry(alert, [short]) == short
    assert auto_contain_entry(alert, ["health:" + finding]) == ""
    assert auto_contain_entry(alert, ["guardduty:"]) == ""
    assert auto_contain_entry(alert, ["guardduty:IAMUser"]) == ""
    health = exposed(
        SESSION_KEY, rule="", details={"event_type_code": "AWS_RISK_CREDENTIALS_EXPOSED"}
    )
    assert auto_contain_entry(health, [" health:aws_risk_credentials_exposed "]) == (
        "health:aws_risk_credentials_exposed"
    )


def test_auto_containment_of_a_role_session_only_revokes(
    store: SqliteStore, aws: boto3.Session, iam: Any
) -> None:
    role = iam.create_role(RoleName="web-instance", AssumeRolePolicyDocument=TRUST)["Role"]
    responder = role_session_responder(store, aws, role["Arn"])
    finding = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"
    alert = exposed(SESSION_KEY, kind=AlertKind.GUARDDUTY, rule=finding)
    [outcome] = auto(responder, [f"guardduty:{finding}"]).contain(alert, "inc-1")
    assert outcome.status is OutcomeStatus.DONE
    assert iam.list_role_policies(RoleName="web-instance")["PolicyNames"] == [
        "keycheck-revoke-sessions"
    ]


def test_one_report_per_request_and_the_outcome_carries_the_key_as_iam_left_it(
    store: SqliteStore, aws: boto3.Session, clock: Clock, iam: Any, key: str
) -> None:
    sessions = Sessions(aws)
    built: list[str] = []

    def report(key_id: str) -> KeyReport:
        built.append(key_id)
        return build_key_report(sessions, key_id)

    responder = Responder(store, sessions, clock=clock, key_report=report)
    outcome = contain(responder, key)

    assert built == [key]
    after = outcome.report
    assert after is not None and after.status == "Inactive"
    assert after.deny_all_attached and after.revoke_attached
    fresh = build_key_report(sessions, key)
    assert (after.status, sorted(after.inline_policies)) == (
        fresh.status,
        sorted(fresh.inline_policies),
    )

    undone = responder.undo(outcome.record.id, actor="U0ALICE", reason="false alarm")
    assert undone.status is OutcomeStatus.DONE and built == [key]


FOREIGN = "666666666666"


def test_a_foreign_accounts_role_is_not_resolved_in_ours(
    store: SqliteStore, aws: boto3.Session, iam: Any
) -> None:
    iam.create_role(RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=TRUST)
    arn = f"arn:aws:iam::{FOREIGN}:role/OrganizationAccountAccessRole"
    responder = role_session_responder(store, aws, arn)

    outcome = contain(responder, SESSION_KEY, A.REVOKE_SESSIONS)

    assert outcome.status is OutcomeStatus.FAILED
    assert f"is in account {FOREIGN}" in outcome.message
    assert f"needs its responder role in {FOREIGN}" in outcome.message
    policies = iam.list_role_policies(RoleName="OrganizationAccountAccessRole")
    assert policies["PolicyNames"] == []


def test_a_foreign_accounts_session_token_user_is_not_resolved_in_ours(
    store: SqliteStore, aws: boto3.Session, iam: Any, key: str
) -> None:
    responder = role_session_responder(store, aws, f"arn:aws:iam::{FOREIGN}:user/{USER}")

    outcome = contain(responder, SESSION_KEY, A.REVOKE_SESSIONS)

    assert outcome.status is OutcomeStatus.FAILED
    assert f"is in account {FOREIGN}" in outcome.message
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == []


def test_a_write_for_another_account_changes_nothing_in_ours(
    responder: Responder, store: SqliteStore, clock: Clock, iam: Any, key: str
) -> None:
    iam.put_user_policy(
        UserName=USER, PolicyName="keycheck-deny-all", PolicyDocument=policy_json(EXISTING)
    )
    theirs = ActionRecord(
        id="act-theirs",
        idempotency_key=action_key(A.ATTACH_DENY_ALL, FOREIGN, key, 0),
        action=A.ATTACH_DENY_ALL,
        actor="U0ALICE",
        target=key,
        account_id=FOREIGN,
        state=ActionState.DONE,
        requested_at=clock.now,
        updated_at=clock.now,
        before={"principal": f"user/{USER}", "policy_name": "keycheck-deny-all", "document": None},
        after={"principal": f"user/{USER}", "policy_name": "keycheck-deny-all", "document": {}},
    )
    store.begin_action(theirs)

    outcome = responder.undo("act-theirs", actor="U0BOB", reason="wrong account")

    assert outcome.status is OutcomeStatus.FAILED
    assert f"user/{USER} is in account {FOREIGN}" in outcome.message
    assert iam.list_user_policies(UserName=USER)["PolicyNames"] == ["keycheck-deny-all"]


def test_four_eyes_undo_waits_for_someone_else(responder: Responder, iam: Any, key: str) -> None:
    done = contain(responder, key, A.DEACTIVATE_KEY)
    assert done.record is not None

    asked = responder.undo(done.record.id, actor="U0ALICE", reason="canary", require_approval=True)

    assert asked.status is OutcomeStatus.AWAITING_APPROVAL and asked.record is not None
    assert asked.plan[0].key_status == "Active"
    assert key_status(iam, key) == "Inactive"
    with pytest.raises(NotAuthorized):
        responder.approve(asked.record.id, "U0ALICE")
    approved = responder.approve(asked.record.id, "U0BOB")
    assert approved.status is OutcomeStatus.DONE
    assert key_status(iam, key) == "Active"
    again = responder.undo(done.record.id, actor="U0ALICE", reason="again", require_approval=True)
    assert again.status is OutcomeStatus.ALREADY


def left_requested(store: SqliteStore, clock: Clock, key: str, runner: str, **kw: Any) -> None:
    store.begin_action(
        ActionRecord(
            id="act-left",
            idempotency_key=action_key(A.DEACTIVATE_KEY, ACCOUNT, key, 0),
            action=A.DEACTIVATE_KEY,
            actor="U0ALICE",
            target=key,
            account_id=ACCOUNT,
            requested_at=clock.now,
            updated_at=clock.now,
            runner=runner,
            **kw,
        )
    )


def test_reconcile_leaves_alone_what_a_live_process_runs(
    responder: Responder, store: SqliteStore, clock: Clock, key: str
) -> None:
    left_requested(store, clock, key, f"{socket.gethostname()}:{os.getppid()}:0a1b")
    clock.now += timedelta(hours=1)
    assert responder.reconcile() == []
    running = contain(responder, key, A.DEACTIVATE_KEY)
    assert running.status is OutcomeStatus.ALREADY and "still running" in running.message


def test_reconcile_waits_for_another_hosts_record_to_age(
    responder: Responder, store: SqliteStore, clock: Clock, iam: Any, key: str
) -> None:
    left_requested(store, clock, key, "another-host:4242:0a1b")
    clock.now += timedelta(minutes=1)
    assert responder.reconcile() == []
    clock.now += timedelta(minutes=5)
    [settled] = responder.reconcile()
    assert settled.status is OutcomeStatus.IN_DOUBT
    left = store.get_action("act-left")
    assert left is not None and left.state is ActionState.FAILED
    assert contain(responder, key, A.DEACTIVATE_KEY).status is OutcomeStatus.DONE


def test_reconcile_makes_a_change_iam_shows_done_and_undoable(
    responder: Responder, store: SqliteStore, clock: Clock, iam: Any, key: str
) -> None:
    step = responder.preview(A.DEACTIVATE_KEY, key)[0]
    found = {"principal": step.principal, "key_id": key, "status": "Active"}
    dead = f"{socket.gethostname()}:{os.getpid()}:dead"
    left_requested(store, clock, key, dead, before=found | {"step": step.model_dump(mode="json")})
    iam.update_access_key(UserName=USER, AccessKeyId=key, Status="Inactive")

    [settled] = responder.reconcile()

    assert settled.status is OutcomeStatus.DONE
    record = store.get_action("act-left")
    assert record is not None and record.state is ActionState.DONE
    assert (record.before["status"], record.after["status"]) == ("Active", "Inactive")
    assert responder.undo("act-left", actor="U0BOB", reason="canary").status is OutcomeStatus.DONE
    assert key_status(iam, key) == "Active"


def test_a_replayed_request_finds_its_record_even_after_an_undo(
    responder: Responder, iam: Any, key: str, updates: Any
) -> None:
    first = contain(responder, key, A.DEACTIVATE_KEY, request_id="V0VIEW1")
    assert first.record is not None
    responder.undo(first.record.id, actor="U0BOB", reason="false alarm")

    replay = contain(responder, key, A.DEACTIVATE_KEY, request_id="V0VIEW1")

    assert replay.status is OutcomeStatus.ALREADY and replay.record is not None
    assert replay.record.id == first.record.id
    assert key_status(iam, key) == "Active" and len(updates) == 2
    assert contain(responder, key, A.DEACTIVATE_KEY, request_id="V0VIEW2").status is (
        OutcomeStatus.DONE
    )


def test_a_record_being_settled_elsewhere_is_reported_running(
    responder: Responder, store: SqliteStore, clock: Clock, key: str
) -> None:
    left_requested(store, clock, key, "another-host:4242:0a1b")
    store.acquire_lease("settle|act-left", "another-host:4242:beef", 60)
    clock.now += timedelta(minutes=6)

    asked = contain(responder, key, A.DEACTIVATE_KEY)

    assert asked.status is OutcomeStatus.ALREADY and "still running" in asked.message
