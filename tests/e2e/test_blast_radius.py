"""The card learns what the key can do after it is posted, and never waits for it."""

from __future__ import annotations

import json

import boto3

from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from tests.e2e.conftest import ACCOUNT, ALERTS, caller_identity_body

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def test_the_card_is_posted_first_then_says_the_key_is_admin_equivalent(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    aws.client("iam").put_user_policy(
        UserName=scenario.USER, PolicyName="ops", PolicyDocument=json.dumps(ADMIN)
    )

    runtime.ingest.handle(caller_identity_body(leaked))

    [posted] = slack.calls_to("chat.postMessage")
    assert "What it can do" not in json.dumps(posted.params.get("blocks", ""))
    card = slack.wait_for(
        lambda s: next(
            (m for m in s.channel_messages(ALERTS) if "admin-equivalent" in json.dumps(m)), None
        ),
        timeout=30,
    )
    text = json.dumps(card["blocks"], ensure_ascii=False)
    assert "What it can do" in text and "privilege escalation" in text
    assert "inline: ops" in text
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None and card["ts"] == incident.thread_ts
