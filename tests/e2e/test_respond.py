"""Containment from Slack end to end: click, confirm, done once in moto, audited, undone."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest

from bot.aws.support import SUPPORT_REGION
from bot.domain.policies import DENY_ALL, REVOKE_SESSIONS
from bot.models import ActionKind, ActionState, Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER, STRANGER
from tests.e2e.conftest import (
    Responder,
    buttons,
    card_value,
    confirm_view,
    confirm_views,
    messages_text,
    wait_replies,
)
from tests.support.aws import answer, count_calls, seed_leaked_user


def key_status(iam: Any, user: str, key_id: str) -> str:
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    return next(k["Status"] for k in keys if k["AccessKeyId"] == key_id)


def test_a_responder_contains_a_key_and_moto_shows_it(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    assert responder.click(ActionId.CONTAIN_ALL, card_value(incident), incident) == 200
    view = confirm_view(slack)
    assert responder.submit(view, reason="key posted in a public repo")[0] == 200

    [line] = wait_replies(slack, incident, 1)
    iam = aws.client("iam")
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Inactive"
    assert DENY_ALL in iam.list_user_policies(UserName=incident.user_name)["PolicyNames"]
    text = messages_text([line])
    assert f"<@{RESPONDER}>" in text and "was Active, now Inactive" in text
    assert "key posted in a public repo" in text
    assert ActionId.UNDO in buttons(line)
    records = runtime.services.store.actions_for(incident.id)
    kinds = {r.action: r.state for r in records}
    assert kinds == {
        ActionKind.CONTAIN_ALL: ActionState.DONE,
        ActionKind.DEACTIVATE_KEY: ActionState.DONE,
        ActionKind.ATTACH_DENY_ALL: ActionState.DONE,
        ActionKind.REVOKE_SESSIONS: ActionState.DONE,
    }
    assert all(r.actor == RESPONDER and r.reason == "key posted in a public repo" for r in records)
    [_, verified] = wait_replies(slack, incident, 2)
    assert "can do nothing now" in messages_text([verified])


def test_containment_that_leaves_a_way_in_says_which_and_offers_its_button(
    aws: boto3.Session,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam = aws.client("iam")
    second = iam.create_access_key(UserName=incident.user_name)["AccessKey"]["AccessKeyId"]
    iam.create_login_profile(UserName=incident.user_name, Password="Hunter2-hunter2!")

    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="first the leaked key")

    [_, verified] = wait_replies(slack, incident, 2)
    text = messages_text([verified])
    assert "Still open" in text and f"other key {second}, active" in text
    assert "console password set" in text and "sessions issued before now" in text
    pressed = buttons(verified)
    assert ButtonValue.decode(pressed[ActionId.DEACTIVATE_KEY]["value"]).k == second
    assert ActionId.REVOKE_SESSIONS in pressed
    assert key_status(iam, incident.user_name, second) == "Active"


def test_a_strangers_click_changes_nothing(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    stranger: Responder,
) -> None:
    assert stranger.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident) == 200

    note = slack.wait_for(lambda s: s.ephemerals(incident.channel))[0]
    assert note["ephemeral_to"] == STRANGER and "not a keycheck responder" in note["text"]
    assert slack.calls_to("views.open") == []
    iam = aws.client("iam")
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Active"
    assert runtime.services.store.actions_for(incident.id) == []
    assert runtime.services.store.counters()["auth.refused"] == 1


@pytest.mark.settings(responders=[])
def test_nobody_may_act_when_no_responders_are_configured(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)

    note = slack.wait_for(lambda s: s.ephemerals(incident.channel))[0]
    assert "No keycheck responders are configured" in note["text"]
    assert slack.calls_to("views.open") == []
    assert key_status(aws.client("iam"), incident.user_name, incident.access_key_id) == "Active"


def test_a_double_click_and_double_submit_call_iam_once(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam_client = runtime.services.sessions.client("iam", incident.account_id)
    updates = count_calls(iam_client.meta.events, "iam.UpdateAccessKey")
    for _ in range(2):
        responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    first, second = confirm_views(slack, 2)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit(view: dict[str, Any]) -> None:
        barrier.wait()
        statuses.append(responder.submit(view, reason="double click")[0])

    threads = [threading.Thread(target=submit, args=(v,)) for v in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = wait_replies(slack, incident, 2)
    assert statuses == [200, 200]
    assert len(updates) == 1
    text = messages_text(lines)
    assert "was Active, now Inactive" in text and "Nothing ran twice" in text
    records = runtime.services.store.actions_for(incident.id)
    assert [r.action for r in records] == [ActionKind.DEACTIVATE_KEY]


def test_undo_restores_the_exact_prior_state(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam = aws.client("iam")
    own = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
    }
    iam.put_user_policy(
        UserName=incident.user_name, PolicyName=DENY_ALL, PolicyDocument=json.dumps(own)
    )
    responder.click(ActionId.CONTAIN_ALL, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="contain, then undo")
    [line] = wait_replies(slack, incident, 1)
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Inactive"

    responder.click(ActionId.UNDO, buttons(line)[ActionId.UNDO]["value"], incident)
    responder.submit(confirm_views(slack, 2)[1], reason="false alarm: a test key")
    undo_all = [b for b in line["blocks"] if b.get("block_id", "").startswith("kc_undo_all")]
    responder.click(ActionId.UNDO, undo_all[0]["elements"][0]["value"], incident)
    responder.submit(confirm_views(slack, 3)[2], reason="false alarm: a test key")

    wait_replies(slack, incident, 3)
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Active"
    restored = iam.get_user_policy(UserName=incident.user_name, PolicyName=DENY_ALL)
    assert restored["PolicyDocument"] == own
    assert REVOKE_SESSIONS not in iam.list_user_policies(UserName=incident.user_name)["PolicyNames"]
    states = {
        r.action: r.state for r in runtime.services.store.actions_for(incident.id) if not r.undo_of
    }
    assert states[ActionKind.CONTAIN_ALL] is ActionState.UNDONE


def test_the_modal_shows_the_policy_that_lands_in_iam(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    responder.click(ActionId.ATTACH_DENY_ALL, card_value(incident), incident)
    view = confirm_view(slack)
    shown = [
        b["text"]["text"]
        for b in view["blocks"]
        if b.get("text", {}).get("text", "").startswith("```")
    ]
    modal_text = json.dumps(view["blocks"])
    assert incident.access_key_id in modal_text and incident.user_name in modal_text
    assert incident.account_id in modal_text

    responder.submit(view, reason="deny it all")
    wait_replies(slack, incident, 1)

    landed = aws.client("iam").get_user_policy(UserName=incident.user_name, PolicyName=DENY_ALL)
    assert [json.loads(text.strip("`")) for text in shown] == [landed["PolicyDocument"]]


def test_a_submission_without_a_reason_keeps_the_modal_open(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)

    status, body = responder.submit(confirm_view(slack), reason="")

    assert status == 200
    assert json.loads(body)["response_action"] == "errors"
    assert key_status(aws.client("iam"), incident.user_name, incident.access_key_id) == "Active"
    assert runtime.services.store.actions_for(incident.id) == []


def test_unsigned_or_wrongly_signed_requests_are_refused(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    slack_requests: Any,
) -> None:

    forged = SlackRequests(slack_requests.url, "not-the-signing-secret")
    status, _ = forged.click(
        ActionId.DEACTIVATE_KEY,
        card_value(incident).encode(),
        user=RESPONDER,
        channel=incident.channel,
        message_ts=incident.thread_ts,
    )
    unsigned, _ = slack_requests.post("payload=%7B%7D", sign=False)
    stale, _ = slack_requests.post("payload=%7B%7D", timestamp=1_000_000_000)

    assert (status, unsigned, stale) == (401, 401, 401)
    assert slack.calls_to("views.open") == []
    assert key_status(aws.client("iam"), incident.user_name, incident.access_key_id) == "Active"


def test_an_unknown_button_or_value_is_answered_and_does_nothing(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    responder.click("kc_delete_everything", card_value(incident), incident)
    responder.click(ActionId.DEACTIVATE_KEY, '{"k": 42', incident)
    responder.click(ActionId.DEACTIVATE_KEY, '{"k": "AKIA-not-a-key"}', incident)

    notes = slack.wait_for(lambda s: (e := s.ephemerals(incident.channel)) and len(e) >= 3 and e)
    texts = " ".join(n["text"] for n in notes)
    assert "Unknown button `kc_delete_everything`" in texts
    assert "not one keycheck made" in texts and "is not an access key id" in texts
    assert slack.calls_to("views.open") == []
    assert runtime.services.store.actions_for(incident.id) == []


@pytest.mark.settings(four_eyes=True)
def test_four_eyes_waits_for_a_second_responder(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
    second_responder: Responder,
) -> None:
    iam = aws.client("iam")
    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="needs two")
    [waiting] = wait_replies(slack, incident, 1)
    assert "Waiting for a second responder" in messages_text([waiting])
    approve = buttons(waiting)[ActionId.APPROVE]["value"]

    responder.click(ActionId.APPROVE, approve, incident)
    own = slack.wait_for(lambda s: s.ephemerals(incident.channel))[0]
    assert own["ephemeral_to"] == RESPONDER and "another responder has to approve" in own["text"]
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Active"

    second_responder.click(ActionId.APPROVE, approve, incident)
    [_, done] = wait_replies(slack, incident, 2)
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Inactive"
    assert f"approved by <@{second_responder.user}>" in messages_text([done])


def test_declare_incident_makes_a_channel_and_undo_archives_it(
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
    second_responder: Responder,
) -> None:
    responder.click(ActionId.DECLARE_INCIDENT, card_value(incident), incident)
    responder.click(ActionId.DECLARE_INCIDENT, card_value(incident), incident)

    lines = wait_replies(slack, incident, 2)
    [created] = slack.calls_to("conversations.create")
    name = created.params["name"]
    assert name == f"keycheck-{incident.id}" and incident.user_name not in name
    stored = runtime.services.store.get_incident(incident.id)
    assert stored is not None and stored.incident_channel
    channel = stored.incident_channel
    info = slack.channel_info(channel)
    assert {RESPONDER, second_responder.user} <= set(info["members"])
    pinned = slack.pins(channel)
    assert len(pinned) == 2
    posted = slack.channel_messages(channel)
    assert "the card in the alerts channel" in messages_text(posted)
    assert incident.access_key_id in messages_text(posted)
    declared = next(m for m in lines if ActionId.UNDO in buttons(m))
    assert f"<#{channel}>" in messages_text([declared])
    assert "Nothing ran twice" in messages_text(lines)

    responder.click(ActionId.UNDO, buttons(declared)[ActionId.UNDO]["value"], incident)
    wait_replies(slack, incident, 3)
    assert slack.channel_info(channel)["is_archived"]
    after = runtime.services.store.get_incident(incident.id)
    assert after is not None and after.incident_channel == ""


def test_open_case_opens_one_support_case_and_remembers_it(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    support = runtime.services.sessions.client("support", incident.account_id, SUPPORT_REGION)
    levels = [{"code": c, "name": c} for c in ("low", "normal", "high", "urgent")]
    answer(support.meta.events, "support.DescribeSeverityLevels", {"severityLevels": levels})

    responder.click(ActionId.OPEN_CASE, card_value(incident), incident)

    [line] = wait_replies(slack, incident, 1)
    stored = runtime.services.store.get_incident(incident.id)
    assert stored is not None and stored.case_id
    assert stored.case_id in messages_text([line])
    cases = aws.client("support", region_name="us-east-1").describe_cases()["cases"]
    assert [c["caseId"] for c in cases] == [stored.case_id]
    assert "(severity high)" in messages_text([line])


@pytest.mark.settings(auto_contain=["health:AWS_RISK_CREDENTIALS_EXPOSED"])
def test_auto_containment_deactivates_denies_and_offers_undo(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    from bot.models import utcnow
    from tests.e2e.conftest import ACCOUNT, TOPIC

    event = scenario.health_event(ACCOUNT, leaked, utcnow())

    runtime.ingest.handle(scenario.sns_wrap(event, TOPIC))

    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None
    [line] = wait_replies(slack, incident, 1)
    iam = aws.client("iam")
    assert key_status(iam, scenario.USER, leaked) == "Inactive"
    assert DENY_ALL in iam.list_user_policies(UserName=scenario.USER)["PolicyNames"]
    text = messages_text([line])
    assert "Auto-containment" in text and "`keycheck` deactivated" in text
    assert ActionId.UNDO in buttons(line)
    actors = {r.actor for r in runtime.services.store.actions_for(incident.id)}
    assert actors == {"keycheck"}


@pytest.mark.settings(four_eyes=True)
def test_four_eyes_undo_needs_a_reason_and_a_second_responder(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
    second_responder: Responder,
) -> None:
    iam = aws.client("iam")
    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="needs two")
    [waiting] = wait_replies(slack, incident, 1)
    second_responder.click(ActionId.APPROVE, buttons(waiting)[ActionId.APPROVE]["value"], incident)
    done = wait_replies(slack, incident, 2)[1]
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Inactive"

    responder.click(ActionId.UNDO, buttons(done)[ActionId.UNDO]["value"], incident)
    undo_view = confirm_views(slack, 2)[1]
    _, body = responder.submit(undo_view, reason="")
    assert json.loads(body)["response_action"] == "errors"
    responder.submit(undo_view, reason="it was a canary key")
    asked = wait_replies(slack, incident, 3)[2]
    assert "Waiting for a second responder" in messages_text([asked])
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Inactive"

    approve = buttons(asked)[ActionId.APPROVE]["value"]
    responder.click(ActionId.APPROVE, approve, incident)
    own = slack.wait_for(lambda s: s.ephemerals(incident.channel))[0]
    assert "another responder has to approve" in own["text"]
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Inactive"
    second_responder.click(ActionId.APPROVE, approve, incident)
    wait_replies(slack, incident, 4)
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Active"
    [undo] = [r for r in runtime.services.store.actions_for(incident.id) if r.undo_of]
    assert (undo.reason, undo.approved_by) == ("it was a canary key", second_responder.user)


def test_a_replayed_submission_after_an_undo_runs_nothing(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam_client = runtime.services.sessions.client("iam", incident.account_id)
    updates = count_calls(iam_client.meta.events, "iam.UpdateAccessKey")
    iam = aws.client("iam")
    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    view = confirm_view(slack)
    responder.submit(view, reason="leaked")
    [done, _verified] = wait_replies(slack, incident, 2)
    responder.click(ActionId.UNDO, buttons(done)[ActionId.UNDO]["value"], incident)
    responder.submit(confirm_views(slack, 2)[1], reason="false alarm")
    wait_replies(slack, incident, 3)
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Active"

    assert responder.submit(view, reason="leaked")[0] == 200

    [*_, replayed] = wait_replies(slack, incident, 4)
    assert "Nothing ran twice" in messages_text([replayed])
    assert key_status(iam, incident.user_name, incident.access_key_id) == "Active"
    assert len(updates) == 2


def test_a_form_naming_another_key_under_the_incident_is_refused(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam = aws.client("iam")
    other = seed_leaked_user(iam, "billing-exporter")[1]["AccessKeyId"]
    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    view = confirm_view(slack)
    metadata = json.loads(view["private_metadata"]) | {"key_id": other}

    responder.submit(view | {"private_metadata": json.dumps(metadata)}, reason="forged")

    note = slack.wait_for(lambda s: s.ephemerals(incident.channel))[0]
    assert "not the key of incident" in note["text"]
    assert key_status(iam, "billing-exporter", other) == "Active"
    assert runtime.services.store.actions_for(incident.id) == []
