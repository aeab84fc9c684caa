"""Containment that holds, end to end: the verdict names each way in, then the watch keeps guard.

The user behind the leaked key has a second active key, a console password and AWS's own
AdministratorAccess attached. Deactivate alone leaves the second key and the password
open; Contain all (deny-all on the user) leaves nothing that can act, and says what is
left but denied. A call with the key after the cut-off shows in the watch as denied; one
that succeeded is broadcast to the channel.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from tests.e2e.conftest import (
    ALERTS,
    Responder,
    buttons,
    card_value,
    confirm_view,
    messages_text,
    replies,
)

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ATTACKER = "198.51.100.50"


@pytest.fixture
def leaked(aws: boto3.Session, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The seed's user with AWS's managed AdministratorAccess (moto loads it when asked)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    reset = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    iam = aws.client("iam")
    key = str(seed_leaked_user(iam, scenario.USER)["AccessKeyId"])
    iam.attach_user_policy(UserName=scenario.USER, PolicyArn=ADMIN)
    return key


def verdict(slack: SlackStandIn, incident: Incident, marker: str) -> dict[str, Any]:
    """The newest verification reply in the thread that says `marker`."""

    def found(s: SlackStandIn) -> dict[str, Any] | None:
        said = [m for m in replies(s, incident) if marker in m.get("text", "")]
        return said[-1] if said else None

    return slack.wait_for(found, timeout=60)


def test_deactivate_alone_leaves_ways_in_contain_all_closes_them_and_the_watch_keeps_guard(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    trail_standin: CloudTrailStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam = aws.client("iam")
    second = iam.create_access_key(UserName=scenario.USER)["AccessKey"]["AccessKeyId"]
    iam.create_login_profile(UserName=scenario.USER, Password="Correct-Horse-9-battery")

    responder.click(ActionId.DEACTIVATE_KEY, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="the leaked key first")
    still_open = verdict(slack, incident, "Still open")
    text = messages_text([still_open])
    assert f"other key {second}, active" in text
    assert "console password set" in text
    assert "everything (admin-equivalent)" in text
    pressed = buttons(still_open)
    assert ButtonValue.decode(pressed[ActionId.DEACTIVATE_KEY]["value"]).k == second
    assert ActionId.DISABLE_CONSOLE_LOGIN in pressed

    card = slack.wait_for(
        lambda s: next(
            (m for m in s.channel_messages(ALERTS) if "admin-equivalent" in json.dumps(m)), None
        ),
        timeout=30,
    )
    assert card["ts"] == incident.thread_ts

    responder.click(ActionId.CONTAIN_ALL, card_value(incident), incident)
    responder.submit(slack.wait_for(_second_confirmation, timeout=15), reason="then all of it")
    holds = verdict(slack, incident, "can do nothing now")
    text = messages_text([holds])
    assert "Still open" not in text
    assert f"other key {second} is active, but deny-all denies its every call" in text
    assert "console password still set: it signs in, but deny-all denies every action" in text
    assert ActionId.DISABLE_CONSOLE_LOGIN in buttons(holds)

    watch = runtime.services.store.active_watches()[0]
    assert watch.access_key_id == incident.access_key_id and watch.incident_id == incident.id
    for _ in range(3):
        trail_standin.record_call(
            incident.access_key_id,
            "ListUsers",
            when=datetime.now(UTC),
            source_ip=ATTACKER,
            user_name=scenario.USER,
            error_code="AccessDenied",
        )
    runtime.services.watch.poll_due()
    [summary] = [m for m in replies(slack, incident) if m.get("text", "").startswith("Watching")]
    assert f"3 denied calls from {ATTACKER} since" in summary["text"]

    trail_standin.record_call(
        incident.access_key_id,
        "GetCallerIdentity",
        when=datetime.now(UTC),
        source_ip=ATTACKER,
        user_name=scenario.USER,
        event_source="sts.amazonaws.com",
    )
    runtime.services.watch.poll_due()
    [broadcast] = [c for c in slack.calls_to("chat.postMessage") if c.params.get("reply_broadcast")]
    assert broadcast.params["thread_ts"] == incident.thread_ts
    assert "SUCCEEDED after containment: sts:GetCallerIdentity" in broadcast.params["text"]
    in_channel = [m for m in slack.channel_messages(ALERTS) if m.get("subtype")]
    assert [m["subtype"] for m in in_channel] == ["thread_broadcast"]
    assert "*succeeded* after containment" in messages_text(in_channel)
    edited = slack.wait_for_call("chat.update", lambda c: c.params.get("ts") == summary["ts"])
    assert "1 call SUCCEEDED after the cut-off" in str(edited.params.get("text"))


def _second_confirmation(slack: SlackStandIn) -> dict[str, Any] | None:
    filled = [v for v in slack.views() if "submit" in v]
    return filled[1] if len(filled) >= 2 else None


def test_disable_console_login_says_it_cannot_be_undone_and_deletes_only_the_password(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    incident: Incident,
    responder: Responder,
) -> None:
    iam = aws.client("iam")
    iam.create_login_profile(UserName=scenario.USER, Password="Correct-Horse-9-battery")

    value = card_value(incident)
    assert responder.click(ActionId.DISABLE_CONSOLE_LOGIN, value, incident) == 200
    view = confirm_view(slack)
    assert "cannot be undone" in json.dumps(view["blocks"])
    assert responder.submit(view, reason="the password may have leaked too")[0] == 200

    result = verdict(slack, incident, "disabled console login")
    assert "console password was set, now none; cannot be undone" in messages_text([result])
    assert ActionId.UNDO not in buttons(result)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName=scenario.USER)
    keys = iam.list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
    assert [k["Status"] for k in keys] == ["Active"]
    [record] = runtime.services.store.actions_for(incident.id)
    assert record.reason == "the password may have leaked too" and record.state == "done"
