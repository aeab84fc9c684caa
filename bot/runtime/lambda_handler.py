"""AWS Lambda entry point: Slack requests and SNS via a function URL, alerts via SQS.

Slack requests come as function-URL events (payload format 2.0). Bolt acknowledges in
the invocation Slack waits on and runs each lazy listener as an asynchronous invocation
of this same function (`lambda:InvokeFunction` on itself), which comes back through
`handler` and may start in a cold container.
"""

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
_slack: SlackRequestHandler | None = None


def _get_runtime() -> Runtime:
    """Built on a container's first invocation and kept for its life.

    Like `keycheck serve` at start, a new container first settles the actions a dead one
    left `requested`, from what IAM shows, and tells each in its incident's thread.
    """
    global _runtime
    if _runtime is None:
        runtime = Runtime.build(load_settings(), process_before_response=True)
        runtime.reconcile()
        _runtime = runtime
    return _runtime


def _slack_handler(runtime: Runtime) -> SlackRequestHandler:
    """One per container: it keeps the Lambda client the lazy listeners are invoked with."""
    global _slack
    if _slack is None or _slack.app is not runtime.app:
        _slack = SlackRequestHandler(runtime.app)
    return _slack


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
    response = _slack_handler(runtime).handle(event, context)  # type: ignore[no-untyped-call]
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
