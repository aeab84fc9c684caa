"""`/keycheck` shows what the key can do: from the card's cache at once, else filled in after."""

from __future__ import annotations

import json
from typing import Any

import boto3

from bot.models import Incident
from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests
from tests.conftest import RESPONDER
from tests.e2e.conftest import ACCOUNT, ALERTS, caller_identity_body

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _report(slack: SlackStandIn) -> dict[str, Any] | None:
    found = [m for m in slack.channel_messages(ALERTS) if "Access key" in m.get("text", "")]
    return found[-1] if found else None


def test_a_key_nobody_assessed_yet_is_reported_at_once_then_its_blast_radius_filled_in(
    aws: boto3.Session, slack: SlackStandIn, slack_requests: SlackRequests, leaked: str
) -> None:
    aws.client("iam").put_user_policy(
        UserName=scenario.USER, PolicyName="ops", PolicyDocument=json.dumps(ADMIN)
    )

    assert slack_requests.command(leaked, user=RESPONDER)[0] == 200

    first = slack.wait_for_call("chat.postMessage", timeout=30)
    assert "reading its policies" in json.dumps(first.params["blocks"])
    filled = slack.wait_for(
        lambda s: (r := _report(s)) and "admin-equivalent" in json.dumps(r["blocks"]) and r,
        timeout=60,
    )
    text = json.dumps(filled["blocks"], ensure_ascii=False)
    assert "What it can do" in text and "inline: ops" in text
    assert "reading its policies" not in text


def test_a_key_whose_card_was_assessed_is_reported_with_its_blast_radius_in_one_post(
    aws: boto3.Session,
    runtime: Runtime,
    slack: SlackStandIn,
    slack_requests: SlackRequests,
    leaked: str,
) -> None:
    aws.client("iam").put_user_policy(
        UserName=scenario.USER, PolicyName="ops", PolicyDocument=json.dumps(ADMIN)
    )
    runtime.ingest.handle(caller_identity_body(leaked))
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert isinstance(incident, Incident)
    slack.wait_for(
        lambda s: any("admin-equivalent" in json.dumps(m) for m in s.channel_messages(ALERTS)),
        timeout=60,
    )
    posts = len(slack.calls_to("chat.postMessage"))

    assert slack_requests.command(leaked, user=RESPONDER)[0] == 200

    report = slack.wait_for(
        lambda s: (
            len(s.calls_to("chat.postMessage")) > posts and s.calls_to("chat.postMessage")[-1]
        ),
        timeout=30,
    )
    assert "admin-equivalent" in json.dumps(report.params["blocks"])
