"""Posts to a request's response_url: the way back to where a person asked.

Slack hands a `response_url` with every slash command, message shortcut and button
press. A JSON POST to it lands in that conversation (ephemeral unless `in_channel`),
five times within thirty minutes, even in a private channel or DM keycheck is not in:
the one answer that always reaches the person. The URL itself is the credential, so it
is never logged (the SDK's own logger is kept quiet), and a post goes only to Slack's
hooks host, or, with the Web API pointed elsewhere (the stand-in), to that origin.

Retries: Slack's 429 (honouring Retry-After), and a connection refused before anything
was sent. Nothing else goes again: a POST that may have reached Slack would answer twice
and spend a second use.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

SLACK_DOMAINS = ("slack.com", "slack-gov.com")
UNTRUSTED = "untrusted_response_url"
# The SDK logs a retried request's full URL at INFO: with it at WARNING, it never does.
_SDK_LOG = logging.getLogger(f"{__name__}.sdk")
_SDK_LOG.setLevel(logging.WARNING)


def hooks_origin(api_base: str) -> str:
    """Where response_urls come from: `hooks.` of Slack's (or GovSlack's) domain, else the
    Web API's own origin, so that a stand-in's URLs are trusted and nothing else is."""
    parts = urlsplit(api_base)
    host = parts.hostname or ""
    for domain in SLACK_DOMAINS:
        if host == domain or host.endswith(f".{domain}"):
            return f"https://hooks.{domain}"
    return f"{parts.scheme}://{parts.netloc}"


def is_trusted(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.path.strip("/")) and f"{parts.scheme}://{parts.netloc}" == origin


def response_body(
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    in_channel: bool = False,
    thread_ts: str | None = None,
    replace_original: bool = False,
) -> dict[str, Any]:
    """The JSON Slack documents: a message payload, its visibility and its place."""
    body: dict[str, Any] = {
        "text": text,
        "response_type": "in_channel" if in_channel else "ephemeral",
        "replace_original": replace_original,
    }
    if blocks:
        body["blocks"] = blocks
    if thread_ts:
        body["thread_ts"] = thread_ts
    return body


class RefusedConnectionRetry(ConnectionErrorRetryHandler):
    """Retry only a connection refused outright: that request never reached Slack."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        refused = isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)
        return refused and super()._can_retry(
            state=state, request=request, response=response, error=error
        )


def post_response(url: str, body: dict[str, Any], origin: str, *, timeout: int = 10) -> str:
    """POST `body` to `url`; "" when Slack took it, else Slack's error (never the URL)."""
    if not is_trusted(url, origin):
        return UNTRUSTED
    client = WebhookClient(
        url,
        timeout=timeout,
        logger=_SDK_LOG,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2), RefusedConnectionRetry()],
    )
    try:
        response = client.send_dict(body)
    except (URLError, OSError) as error:
        return f"connection_error ({type(error).__name__})"
    if response.status_code == 200:
        return ""
    return _error_of(response.body) or f"http_{response.status_code}"


def _error_of(body: str) -> str:
    """Slack answers a refused response_url with JSON `error`, or with the bare code."""
    try:
        decoded = json.loads(body)
    except ValueError:
        return body.strip()[:60]
    return str(decoded.get("error", ""))[:60] if isinstance(decoded, dict) else ""
