"""Finding 12: a secret the attacker put in a request, or a responder typed, reaches no sink.

Sinks: the timeline's CSV and JSON (in Slack and in the S3 evidence bucket), every Slack
call, the store's file, and the log lines of the test process and of a real `keycheck`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.config import Settings
from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins import demo_scenario as scenario
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from tests.conftest import REPO
from tests.e2e.conftest import ACCOUNT, ALERTS, TOPIC, Responder, card_value, confirm_view
from tests.e2e.test_processes import environment, free_port
from tests.unit.analysis.support import cloudtrail_standin

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SLACK_TOKEN = "xoxb-2718281828-3141592653-QwErTyUiOpAsDfGh"
BUCKET = "keycheck-evidence"


def with_secrets(record: dict[str, Any]) -> dict[str, Any]:
    """A record as an attacker shapes it: the secret in the user agent and the parameters."""
    return record | {
        "userAgent": f"aws-cli/2.15.0 {SECRET}",
        "requestParameters": {"secretId": "prod/db", "clientToken": SECRET},
    }


@pytest.fixture
def trail(monkeypatch: pytest.MonkeyPatch, leaked: str) -> Iterator[CloudTrailStandIn]:
    with cloudtrail_standin(monkeypatch) as standin:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        records = scenario.recon_records(ACCOUNT, leaked, yesterday)
        standin.add_records("us-east-1", [with_secrets(r) for r in records])
        yield standin


def everything_sent(slack: SlackStandIn) -> str:
    """Every parameter of every call that reached Slack, and every uploaded file."""
    calls = json.dumps([c.params for c in slack.calls], ensure_ascii=False)
    files = [(f.content or b"").decode(errors="replace") for f in slack.files()]
    return calls + "\n".join(files)


def store_dump(settings: Settings) -> str:
    conn = sqlite3.connect(settings.store_url.removeprefix("sqlite:///"))
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def _timeline_done(slack: SlackStandIn) -> bool:
    threads = [slack.thread(ALERTS, m["ts"]) for m in slack.channel_messages(ALERTS)]
    return any("Evidence copied to s3://" in str(m.get("text")) for t in threads for m in t)


@pytest.mark.settings(evidence_bucket=BUCKET)
def test_a_secret_in_request_parameters_and_user_agent_is_not_in_the_timeline_files(
    aws: boto3.Session,
    responder: Responder,
    incident: Incident,
    slack: SlackStandIn,
    trail: CloudTrailStandIn,
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    assert responder.click(ActionId.TIMELINE, card_value(incident), incident) == 200
    slack.wait_for(_timeline_done, timeout=60)

    # The chart (a PNG) is drawn and uploaded on its own thread, whenever it is ready.
    trail_files = [f for f in slack.files() if f.name.endswith((".csv", ".json"))]
    files = {f.name: (f.content or b"").decode() for f in trail_files}
    assert set(files) == {f"timeline-{incident.id}.csv", f"timeline-{incident.id}.json"}
    evidence = [
        s3.get_object(Bucket=BUCKET, Key=f"{incident.id}/{name}")["Body"].read().decode()
        for name in files
    ]
    for text in [*files.values(), *evidence]:
        assert SECRET not in text
        assert "aws-cli/2.15.0 [redacted]" in text
        assert incident.access_key_id in text, "the key id stays for the responders"
    json.loads(files[f"timeline-{incident.id}.json"])
    assert SECRET not in everything_sent(slack)


def test_a_slack_token_typed_as_a_reason_reaches_neither_slack_nor_the_store(
    runtime: Runtime,
    settings: Settings,
    responder: Responder,
    incident: Incident,
    slack: SlackStandIn,
) -> None:
    assert responder.click(ActionId.CONTAIN_ALL, card_value(incident), incident) == 200
    responder.submit(confirm_view(slack), reason=f"oops, pasted {SLACK_TOKEN}")

    def contained(_: SlackStandIn) -> bool:
        return "[redacted]" in everything_sent(slack)

    slack.wait_for(contained, timeout=30)
    assert SLACK_TOKEN not in everything_sent(slack)
    assert SLACK_TOKEN not in store_dump(settings)
    records = runtime.services.store.actions_for(incident.id)
    assert records and all(r.reason == "oops, pasted [redacted]" for r in records)


def test_an_attackers_user_agent_reaches_no_sink(
    runtime: Runtime, settings: Settings, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    record = with_secrets(
        scenario.recon_records(ACCOUNT, "AKIAQWERTYUIOPASDFGH", datetime.now(UTC))[0]
    )
    body = scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("bot.ingest").debug("accepting %s", body)
        runtime.ingest.handle(body)
    assert "AKIAQWERTYUIOPASDFGH" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in everything_sent(slack)
    assert SECRET not in store_dump(settings)


def test_a_real_worker_logs_no_secret_even_verbose(
    aws: boto3.Session, moto_url: str, slack: SlackStandIn, tmp_path: Path
) -> None:
    """`keycheck -v worker --once`: botocore's debug lines show SQS bodies, secrets and all."""
    queue = aws.client("sqs").create_queue(QueueName="keycheck-alerts")["QueueUrl"]
    record = with_secrets(
        scenario.recon_records(ACCOUNT, "AKIAQWERTYUIOPASDFGH", datetime.now(UTC))[0]
    )
    body = scenario.sns_wrap(scenario.eventbridge_event(record), TOPIC)
    aws.client("sqs").send_message(QueueUrl=queue, MessageBody=body)
    env = environment(slack, tmp_path, free_port())
    env.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        KEYCHECK_SQS_QUEUE_URL=queue,
        KEYCHECK_ALERTS_CHANNEL="#security-alerts",
        KEYCHECK_SNS_TOPIC_ARNS=json.dumps([TOPIC]),
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "-v", "worker", "--once"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "ReceiveMessage" in done.stderr or "AKIAQWERTYUIOPASDFGH" in done.stderr
    assert SECRET not in done.stderr
    assert len(slack.channel_messages(ALERTS)) == 1
