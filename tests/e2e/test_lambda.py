"""The Lambda entry point: secrets from Secrets Manager, SQS batches with partial failures,
Slack over a function URL with Bolt's lazy listeners run as real self-invocations."""

from __future__ import annotations

import base64
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.models import ActionKind, ActionRecord, ActionState, Incident
from bot.runtime import lambda_handler
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.slack import SlackStandIn
from tests.conftest import RESPONDER
from tests.e2e.conftest import ALERTS, buttons, messages_text
from tests.support.lambda_container import context_for
from tests.support.lambda_service import LambdaService
from tests.support.slack_payloads import button_press, reason_submission

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:keycheck-bot"
SIGNING_SECRET = "s3cr3t-signing"
COLD_START_SECONDS = 4.0


@pytest.fixture
def deployed(
    aws: boto3.Session, slack: SlackStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The environment infra/bot.yaml gives the function: no secret in it, only its ARN."""
    secret = aws.client("secretsmanager").create_secret(
        Name="keycheck/slack",
        SecretString=json.dumps(
            {"SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
        ),
    )
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KEYCHECK_SECRET_ARN", secret["ARN"])
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    monkeypatch.setenv("KEYCHECK_STORE_URL", f"sqlite:///{tmp_path / 'k.sqlite3'}")
    monkeypatch.setenv("KEYCHECK_SNS_TOPIC_ARNS", TOPIC)
    monkeypatch.setenv("KEYCHECK_RESPONDERS", RESPONDER)
    monkeypatch.setattr(lambda_handler, "_runtime", None)
    monkeypatch.setattr(lambda_handler, "_slack", None)
    yield
    if lambda_handler._runtime is not None:
        lambda_handler._runtime.close()


def sqs_record(message_id: str, body: str) -> dict[str, object]:
    return {"messageId": message_id, "eventSource": "aws:sqs", "body": body}


def test_an_sqs_batch_posts_its_alerts_and_reports_only_the_bad_message(
    aws: boto3.Session, slack: SlackStandIn, deployed: None
) -> None:
    key_id = seed_leaked_user(aws.client("iam"), scenario.USER)["AccessKeyId"]
    record = scenario.recon_records(ACCOUNT, key_id, datetime.now(UTC))[0]
    good = scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)
    event = {"Records": [sqs_record("m-good", good), sqs_record("m-bad", "{oops")]}

    result = lambda_handler.handler(event, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    [card] = slack.channel_messages("C0ALERTS")
    assert key_id in json.dumps(card["blocks"])
    runtime = lambda_handler._runtime
    assert runtime is not None
    assert runtime.services.settings.slack_signing_secret.get_secret_value() == "s3cr3t-signing"


def test_a_function_url_request_to_sns_is_verified(slack: SlackStandIn, deployed: None) -> None:
    forged = json.loads(scenario.sns_wrap({"hello": "world"}, TOPIC))
    result = lambda_handler.handler({"rawPath": "/sns", "body": json.dumps(forged)}, None)
    assert result["statusCode"] == 403
    assert slack.calls_to("chat.postMessage") == []


@pytest.fixture
def lambdas(deployed: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdaService]:
    """Lambda's Invoke API, where every self-invocation starts a cold container."""
    service = LambdaService(cold_start_seconds=COLD_START_SECONDS)
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", service.url)
    with service.running():
        yield service


@pytest.fixture
def slow_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's container, too, takes four seconds to build its runtime."""
    build = Runtime.build

    def slow_build(*args: Any, **kwargs: Any) -> Runtime:
        time.sleep(COLD_START_SECONDS)
        return build(*args, **kwargs)

    monkeypatch.setattr(Runtime, "build", slow_build)


def function_url_event(form: dict[str, str]) -> dict[str, Any]:
    """A Slack request as a function URL hands it over: payload format 2.0, signed, base64."""
    body = urllib.parse.urlencode(form)
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/slack/events",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "host": "kc.lambda-url.us-east-1.on.aws",
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature or "",
        },
        "requestContext": {
            "http": {"method": "POST", "path": "/slack/events", "protocol": "HTTP/1.1"},
            "requestId": f"req-{time.monotonic_ns()}",
        },
        "body": base64.b64encode(body.encode()).decode(),
        "isBase64Encoded": True,
    }


def interaction(payload: dict[str, Any]) -> dict[str, Any]:
    result = lambda_handler.handler(
        function_url_event({"payload": json.dumps(payload)}), context_for(FUNCTION)
    )
    assert result["statusCode"] == 200, result
    return result


def post_card(aws: boto3.Session, slack: SlackStandIn) -> Incident:
    """A leaked key's first alert, through an SQS batch: the container's first invocation."""
    key_id = seed_leaked_user(aws.client("iam"), scenario.USER)["AccessKeyId"]
    record = scenario.recon_records(ACCOUNT, key_id, datetime.now(UTC))[0]
    body = scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)
    lambda_handler.handler({"Records": [sqs_record("m-1", body)]}, None)
    runtime = lambda_handler._runtime
    assert runtime is not None
    incident = runtime.services.store.find_incident(ACCOUNT, key_id)
    assert incident is not None and incident.thread_ts
    return incident


def key_status(aws: boto3.Session, key_id: str) -> str:
    keys = aws.client("iam").list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
    return str(next(k["Status"] for k in keys if k["AccessKeyId"] == key_id))


def test_contain_all_over_a_function_url_keeps_its_modal_through_a_4s_cold_start(
    aws: boto3.Session, slack: SlackStandIn, lambdas: LambdaService, slow_cold_start: None
) -> None:
    incident = post_card(aws, slack)
    [card] = slack.channel_messages(ALERTS)
    trigger = slack.issue_trigger(ALERTS, RESPONDER)
    press = button_press(
        buttons(card)[ActionId.CONTAIN_ALL],
        user=RESPONDER,
        channel=ALERTS,
        message_ts=incident.thread_ts,
        trigger_id=trigger,
    )

    started = time.monotonic()
    interaction(press)
    assert time.monotonic() - started < 3
    assert slack.wait_for_call("views.open", timeout=1).ok
    [filled] = lambdas.wait_done(1)
    assert filled.result is not None and filled.result["statusCode"] == 200, filled.log
    [view] = [v for v in slack.views() if "submit" in v]
    assert incident.access_key_id in json.dumps(view["blocks"])
    assert all(call.ok for call in slack.calls_to("views.update"))

    submission = reason_submission(
        view, user=RESPONDER, reason="posted in a public repo", trigger_id="unused"
    )
    assert interaction(submission)["body"] == ""
    [_, contained] = lambdas.wait_done(2)
    assert contained.result is not None and contained.result["statusCode"] == 200, contained.log

    assert key_status(aws, incident.access_key_id) == "Inactive"
    replies = slack.thread(ALERTS, incident.thread_ts)[1:]
    assert "now Inactive" in messages_text(replies)
    assert [e["text"] for e in slack.ephemerals(ALERTS)] == []


def test_a_cold_container_settles_the_action_a_dead_one_left_requested(
    aws: boto3.Session, slack: SlackStandIn, deployed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = post_card(aws, slack)
    first = lambda_handler._runtime
    assert first is not None
    stale = datetime.now(UTC) - timedelta(minutes=10)
    left = ActionRecord(
        id="act-left-by-a-dead-container",
        idempotency_key="deactivate|left-by-a-dead-container",
        action=ActionKind.DEACTIVATE_KEY,
        actor=RESPONDER,
        incident_id=incident.id,
        target=incident.access_key_id,
        account_id=ACCOUNT,
        reason="leaked",
        requested_at=stale,
        updated_at=stale,
        source="slack",
        runner=f"{socket.gethostname()}-gone:8:dead",
    )
    first.services.store.begin_action(left)
    first.close()
    monkeypatch.setattr(lambda_handler, "_runtime", None)

    lambda_handler.handler({"rawPath": "/sns", "body": "{}"}, None)

    runtime = lambda_handler._runtime
    assert runtime is not None
    settled = runtime.services.store.get_action(left.id)
    assert settled is not None and settled.state is ActionState.FAILED
    assert "interrupted" in settled.error
    told = messages_text(slack.thread(ALERTS, incident.thread_ts)[1:])
    assert "In doubt" in told and incident.access_key_id in told


def press(incident: Incident, action: ActionId, value: ButtonValue, trigger: str) -> None:
    """A button press through the function URL, answered within Slack's three seconds."""
    button = {"action_id": action.value, "value": value.encode()}
    payload = button_press(
        button, user=RESPONDER, channel=ALERTS, message_ts=incident.thread_ts, trigger_id=trigger
    )
    started = time.monotonic()
    interaction(payload)
    assert time.monotonic() - started < 3


def test_undo_and_acknowledge_over_a_function_url_open_their_forms_through_a_cold_start(
    aws: boto3.Session, slack: SlackStandIn, lambdas: LambdaService
) -> None:
    incident = post_card(aws, slack)
    runtime = lambda_handler._runtime
    assert runtime is not None
    done = runtime.services.responder.request(
        ActionKind.DEACTIVATE_KEY,
        incident.access_key_id,
        ACCOUNT,
        actor=RESPONDER,
        reason="leaked",
        incident_id=incident.id,
    ).record
    assert done is not None and key_status(aws, incident.access_key_id) == "Inactive"

    undo = ButtonValue(i=incident.id, r=done.id)
    press(incident, ActionId.UNDO, undo, slack.issue_trigger(ALERTS, RESPONDER))
    [undo_view] = slack.views()
    lambdas.wait_done(1)
    submission = reason_submission(
        undo_view, user=RESPONDER, reason="a test key after all", trigger_id="unused"
    )
    interaction(submission)
    [_, undone] = lambdas.wait_done(2)
    assert undone.result is not None and undone.result["statusCode"] == 200, undone.log
    assert key_status(aws, incident.access_key_id) == "Active"

    acknowledge = ButtonValue(i=incident.id, k=incident.access_key_id, a=ACCOUNT)
    press(incident, ActionId.ACKNOWLEDGE, acknowledge, slack.issue_trigger(ALERTS, RESPONDER))
    assert len(slack.views()) == 2
    assert all(call.ok for call in slack.calls_to("views.open"))
    assert [e["text"] for e in slack.ephemerals(ALERTS)] == []
