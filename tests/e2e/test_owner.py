""" "Was this you?": the key's owner asked in a DM, their answer told to the thread, recorded."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from bot.models import ActionKind, IncidentStatus
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER, SECOND_RESPONDER, STRANGER
from tests.e2e.conftest import (
    ACCOUNT,
    ALERTS,
    Responder,
    buttons,
    caller_identity_body,
    messages_text,
    wait_replies,
)

OWNER = "U0OWNER"


def tag_owner(aws: boto3.Session, value: str) -> None:
    aws.client("iam").tag_user(UserName=scenario.USER, Tags=[{"Key": "owner", "Value": value}])


def card_posted(runtime: Runtime, key_id: str) -> Any:
    runtime.ingest.handle(caller_identity_body(key_id))
    incident = runtime.services.store.find_incident(ACCOUNT, key_id)
    assert incident is not None and incident.thread_ts
    return incident


def owner_dm(slack: SlackStandIn, user: str = OWNER) -> dict[str, Any]:
    return slack.wait_for(lambda s: s.direct_messages(user), timeout=15)[0]


def press(
    requests: SlackRequests, slack: SlackStandIn, dm: dict[str, Any], action: ActionId, user: str
) -> None:
    channel = slack.calls_to("conversations.open")[0].response["channel"]["id"]
    trigger = slack.issue_trigger(channel, user)
    value = buttons(dm)[action.value]["value"]
    status, _ = requests.click(
        action.value, value, user=user, channel=channel, message_ts=dm["ts"], trigger_id=trigger
    )
    assert status == 200


def kinds(runtime: Runtime, incident_id: str) -> list[ActionKind]:
    return [r.action for r in runtime.services.store.actions_for(incident_id)]


def test_the_owner_named_by_user_id_is_asked_in_a_dm_and_the_card_says_so(
    runtime: Runtime, slack: SlackStandIn, aws: boto3.Session, leaked: str
) -> None:
    slack.add_user(OWNER, "owner")
    tag_owner(aws, OWNER)
    incident = card_posted(runtime, leaked)

    dm = owner_dm(slack)
    assert "Was this you?" in dm["text"] and leaked in messages_text([dm])
    assert {ActionId.OWNER_YES.value, ActionId.OWNER_NO.value} <= set(buttons(dm))
    [opened] = slack.calls_to("conversations.open")
    assert opened.params["users"] == OWNER
    card = slack.wait_for(
        lambda s: [m for m in s.channel_messages(ALERTS) if f"<@{OWNER}> was asked" in str(m)]
    )
    assert card
    assert kinds(runtime, incident.id) == [ActionKind.OWNER_ASKED]


def test_the_owner_named_by_email_is_found_with_lookup_by_email(
    runtime: Runtime, slack: SlackStandIn, aws: boto3.Session, leaked: str
) -> None:
    slack.add_user(OWNER, "owner")
    slack.set_email(OWNER, "dana@example.com")
    tag_owner(aws, "Dana@Example.com")
    card_posted(runtime, leaked)

    assert owner_dm(slack)["text"].startswith("Was this you?")
    [lookup] = slack.calls_to("users.lookupByEmail")
    assert lookup.params["email"] == "Dana@Example.com"


def test_no_owner_tag_the_card_says_no_owner_found_and_nobody_is_messaged(
    runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    card_posted(runtime, leaked)
    card = slack.wait_for(
        lambda s: [m for m in s.channel_messages(ALERTS) if "No owner found" in str(m)]
    )
    assert "has no `owner` tag" in str(card[0])
    assert not slack.calls_to("conversations.open")


@pytest.mark.settings(owner_denial_contains=True)
def test_no_reaches_the_thread_and_the_responders_and_contains_where_set(
    runtime: Runtime,
    slack: SlackStandIn,
    aws: boto3.Session,
    leaked: str,
    slack_requests: SlackRequests,
) -> None:
    slack.add_user(OWNER, "owner")
    tag_owner(aws, OWNER)
    incident = card_posted(runtime, leaked)
    press(slack_requests, slack, owner_dm(slack), ActionId.OWNER_NO, OWNER)

    said = messages_text(wait_replies(slack, incident, 1))
    assert f"<@{OWNER}> says *this was not them*" in said
    assert f"<@{RESPONDER}>" in said and f"<@{SECOND_RESPONDER}>" in said
    iam = aws.client("iam")

    def deactivated(_: SlackStandIn) -> bool:
        keys = iam.list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
        return keys[0]["Status"] == "Inactive"

    slack.wait_for(deactivated, timeout=20)
    denied = [r for r in runtime.services.store.actions_for(incident.id) if r.actor == OWNER]
    assert [r.action for r in denied] == [ActionKind.OWNER_DENIED]
    assert "wasn't you" in owner_dm(slack)["text"]


def test_yes_asks_for_a_reason_tells_the_thread_and_closes_nothing(
    runtime: Runtime,
    slack: SlackStandIn,
    aws: boto3.Session,
    leaked: str,
    slack_requests: SlackRequests,
) -> None:
    slack.add_user(OWNER, "owner")
    tag_owner(aws, OWNER)
    incident = card_posted(runtime, leaked)
    press(slack_requests, slack, owner_dm(slack), ActionId.OWNER_YES, OWNER)

    view = slack.wait_for(lambda s: [v for v in s.views() if "submit" in v])[0]
    assert view["callback_id"] == "kc_owner_reason"
    Responder(slack_requests, OWNER).submit(view, reason="load test from my laptop")

    said = messages_text(wait_replies(slack, incident, 1))
    assert "says *it was them*" in said and "load test from my laptop" in said
    store = runtime.services.store
    confirmed = [
        r for r in store.actions_for(incident.id) if r.action is ActionKind.OWNER_CONFIRMED
    ]
    assert [(r.actor, r.reason) for r in confirmed] == [(OWNER, "load test from my laptop")]
    after = store.get_incident(incident.id)
    assert after is not None and after.status is IncidentStatus.OPEN
    keys = aws.client("iam").list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
    assert keys[0]["Status"] == "Active"


def test_a_strangers_click_on_the_owners_buttons_is_refused_and_records_nothing(
    runtime: Runtime,
    slack: SlackStandIn,
    aws: boto3.Session,
    leaked: str,
    slack_requests: SlackRequests,
) -> None:
    slack.add_user(OWNER, "owner")
    tag_owner(aws, OWNER)
    incident = card_posted(runtime, leaked)
    dm = owner_dm(slack)
    for action in (ActionId.OWNER_NO, ActionId.OWNER_YES):
        press(slack_requests, slack, dm, action, STRANGER)

    refusals = slack.wait_for(lambda s: s.views() if len(s.views()) >= 2 else [])
    assert all("Only the key's owner" in str(v["blocks"]) for v in refusals)
    assert kinds(runtime, incident.id) == [ActionKind.OWNER_ASKED]
    assert runtime.services.store.counters().get("owner.refused") == 2
