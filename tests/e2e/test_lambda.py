"""The Lambda entry point: secrets from Secrets Manager, SQS batches with partial failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from bot.runtime import lambda_handler
from bot.standins import demo_scenario as scenario
from bot.standins.aws import seed_leaked_user
from bot.standins.slack import SlackStandIn

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"


@pytest.fixture
def deployed(
    aws: boto3.Session, slack: SlackStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The environment infra/bot.yaml gives the function: no secret in it, only its ARN."""
    secret = aws.client("secretsmanager").create_secret(
        Name="keycheck/slack",
        SecretString=json.dumps(
            {"SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": "s3cr3t-signing"}
        ),
    )
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KEYCHECK_SECRET_ARN", secret["ARN"])
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    monkeypatch.setenv("KEYCHECK_STORE_URL", f"sqlite:///{tmp_path / 'k.sqlite3'}")
    monkeypatch.setenv("KEYCHECK_SNS_TOPIC_ARNS", TOPIC)
    monkeypatch.setattr(lambda_handler, "_runtime", None)
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
