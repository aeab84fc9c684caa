"""The HTTP surface: Slack's requests, the SNS subscription, and a health check."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.store import Store

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

SnsHandler = Callable[[bytes], tuple[int, str]]


class WebApp:
    """A WSGI app routing by path; every body is capped before it is read."""

    def __init__(
        self,
        bolt: App,
        sns: SnsHandler,
        store: Store,
        *,
        deliver: Callable[[], object],
        background: Executor,
        max_body_bytes: int,
    ) -> None:
        self.slack = SlackRequestHandler(bolt, path="/slack/events")
        self.sns = sns
        self.store = store
        self.deliver = deliver
        self.background = background
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: WSGIEnvironment, start: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > self.max_body_bytes:
            self.store.bump("http.oversize")
            return _reply(start, 413, {"error": f"body over {self.max_body_bytes} bytes"})
        if path == "/slack/events":
            return self.slack(environ, start)
        if path == "/sns" and method == "POST":
            status, message = self.sns(environ["wsgi.input"].read(length))
            if status == 200:
                self.background.submit(self.deliver)
            return _reply(start, status, {"result": message})
        if path == "/healthz":
            return _reply(start, 200, {"ok": True, "counters": self.store.counters()})
        return _reply(start, 404, {"error": "not found"})


def _reply(start: StartResponse, status: int, body: dict[str, object]) -> list[bytes]:
    payload = json.dumps(body).encode()
    reason = {200: "OK", 403: "Forbidden", 404: "Not Found", 413: "Payload Too Large"}
    start(
        f"{status} {reason.get(status, 'Bad Request')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
