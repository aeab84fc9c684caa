"""AWS Lambda entry point: Slack requests and SNS via a function URL, alerts via SQS."""

from __future__ import annotations

import base64
import logging
from typing import Any

from slack_bolt.adapter.aws_lambda import SlackRequestHandler

from bot.errors import BadEnvelope
from bot.runtime.process import Runtime
from bot.runtime.settings import load_settings

log = logging.getLogger(__name__)
_runtime: Runtime | None = None


def _get_runtime() -> Runtime:
    """Built on the first invocation and kept for the container's life."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime.build(load_settings(), process_before_response=True)
    return _runtime


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    runtime = _get_runtime()
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:sqs":
        return sqs_batch(runtime, records)
    if event.get("rawPath") == "/sns":
        body = event.get("body") or ""
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        status, message = runtime.web.sns(raw)
        if status == 200:
            runtime.ingest.deliver()
        return {"statusCode": status, "body": message}
    response = SlackRequestHandler(runtime.app).handle(event, context)  # type: ignore[no-untyped-call]
    return dict(response)


def sqs_batch(runtime: Runtime, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Store each message; report the ones not stored so only they are retried."""
    failures = []
    for record in records:
        try:
            runtime.ingest.accept(record["body"])
        except BadEnvelope as error:
            log.warning("message %s refused: %s", record.get("messageId"), error)
            failures.append({"itemIdentifier": record["messageId"]})
        except Exception:
            log.exception("storing message %s failed", record.get("messageId"))
            failures.append({"itemIdentifier": record["messageId"]})
    runtime.ingest.deliver()
    return {"batchItemFailures": failures}
