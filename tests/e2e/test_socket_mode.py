"""`keycheck serve` with an app token: Slack over a real Socket Mode websocket, no inbound port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.slack import SlackStandIn
from bot.standins.slack_socket import DEFAULT_APP_TOKEN, SocketAck
from tests.conftest import REPO, RESPONDER
from tests.e2e.conftest import ALERTS, buttons, messages_text
from tests.support.slack_payloads import button_press, reason_submission

CONNECT_TIMEOUT = 60.0
# serve pings every 2 s and gives a dead link up after five failed pings (~10 s measured).
RECONNECT_TIMEOUT = 25.0


@pytest.fixture
def serve(
    aws: boto3.Session, slack: SlackStandIn, tmp_path: Path, moto_url: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`keycheck serve` as an operator starts it for Socket Mode, connected to the stand-in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "KEYCHECK_"))}
    env |= {
        "SLACK_BOT_TOKEN": slack.token or "xoxb-test",
        "SLACK_SIGNING_SECRET": "socket-mode-signing-secret",
        "SLACK_APP_TOKEN": DEFAULT_APP_TOKEN,
        "SLACK_API_URL": slack.url,
        "KEYCHECK_STORE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
        "KEYCHECK_RESPONDERS": RESPONDER,
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], cwd=REPO, env=env, stderr=log, stdout=log
    )
    try:
        slack.socket_mode.wait_connected(1, timeout=CONNECT_TIMEOUT)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def command(slack: SlackStandIn, text: str) -> SocketAck:
    trigger = slack.issue_trigger(ALERTS, RESPONDER)
    return slack.socket_mode.slash_command(text, user=RESPONDER, channel=ALERTS, trigger_id=trigger)


def wait_report(slack: SlackStandIn, count: int) -> dict[str, Any]:
    """The `count`th top-level message in #security-alerts, once it is there."""
    messages = slack.wait_for(lambda s: s.channel_messages(ALERTS)[count - 1 :], timeout=30)
    return messages[0]


def click(slack: SlackStandIn, button: dict[str, Any], message: dict[str, Any]) -> SocketAck:
    """A press of `button` on `message`, delivered as an `interactive` envelope."""
    trigger = slack.issue_trigger(ALERTS, RESPONDER)
    payload = button_press(
        button, user=RESPONDER, channel=ALERTS, message_ts=message["ts"], trigger_id=trigger
    )
    return slack.socket_mode.send("interactive", payload)


def submit(slack: SlackStandIn, view: dict[str, Any], reason: str) -> SocketAck:
    trigger = slack.issue_trigger(ALERTS, RESPONDER)
    payload = reason_submission(view, user=RESPONDER, reason=reason, trigger_id=trigger)
    return slack.socket_mode.send("interactive", payload)


def key_status(iam: Any, key_id: str) -> str:
    keys = iam.list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
    return str(next(k["Status"] for k in keys if k["AccessKeyId"] == key_id))


def test_over_socket_mode_a_lookup_then_contain_all_deactivates_the_key_in_iam(
    aws: boto3.Session, slack: SlackStandIn, serve: subprocess.Popen[bytes]
) -> None:
    iam = aws.client("iam")
    key_id = seed_leaked_user(iam, scenario.USER)["AccessKeyId"]

    looked_up = command(slack, key_id)
    assert looked_up.errors == [] and "Looking up" in looked_up.payload["text"]
    report = wait_report(slack, 1)
    assert key_id in messages_text([report]) and scenario.USER in messages_text([report])

    pressed = click(slack, buttons(report)[ActionId.CONTAIN_ALL], report)
    assert pressed.payload == {} and pressed.seconds < 3
    opened = slack.wait_for_call("views.open", timeout=15)
    assert opened.ok
    view = slack.wait_for(lambda s: [v for v in s.views() if "submit" in v], timeout=30)[0]

    refused = submit(slack, view, reason="")
    assert refused.payload["response_action"] == "errors" and refused.errors == []
    assert key_status(iam, key_id) == "Active"
    accepted = submit(slack, view, reason="pasted in a public gist")
    assert accepted.errors == [] and accepted.payload == {}

    slack.wait_for(
        lambda s: "now Inactive" in json.dumps([c.params for c in s.calls_to("chat.postMessage")]),
        timeout=30,
    )
    assert key_status(iam, key_id) == "Inactive"
    policies = iam.list_user_policies(UserName=scenario.USER)["PolicyNames"]
    assert "keycheck-deny-all" in policies


def test_after_a_reset_socket_and_a_refresh_request_serve_reconnects_and_answers(
    aws: boto3.Session, slack: SlackStandIn, serve: subprocess.Popen[bytes]
) -> None:
    key_id = seed_leaked_user(aws.client("iam"), scenario.USER)["AccessKeyId"]
    opens = len(slack.calls_to("apps.connections.open"))

    slack.socket_mode.drop()
    slack.socket_mode.wait_connected(2, timeout=RECONNECT_TIMEOUT)
    assert "Looking up" in command(slack, key_id).payload["text"]
    wait_report(slack, 1)

    slack.socket_mode.disconnect("refresh_requested")
    slack.socket_mode.wait_connected(3, timeout=RECONNECT_TIMEOUT)
    assert "Looking up" in command(slack, key_id).payload["text"]
    wait_report(slack, 2)

    assert serve.poll() is None
    assert len(slack.calls_to("apps.connections.open")) == opens + 2


def test_apps_connections_open_takes_only_the_app_level_token(slack: SlackStandIn) -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(base_url=slack.url)
    with pytest.raises(SlackApiError) as refused:
        client.apps_connections_open(app_token=slack.token or "xoxb-test")
    assert refused.value.response["error"] == "not_allowed_token_type"
    url = client.apps_connections_open(app_token=DEFAULT_APP_TOKEN)["url"]
    assert url.startswith("ws://127.0.0.1:") and "ticket=" in url
