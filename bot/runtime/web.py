"""The HTTP surface: Slack's requests, the SNS subscription, and a health check."""

from __future__ import annotations

import io
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


# Methods that carry a body: without a Content-Length there is no telling where it ends.
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class BodyRefused(Exception):
    """A request whose body length is unknown, malformed or over the cap: never read."""

    def __init__(self, status: int, message: str, counter: str) -> None:
        super().__init__(message)
        self.status, self.counter = status, counter


def body_length(environ: WSGIEnvironment, cap: int) -> int:
    """The body's declared length, known before a byte is read, and at most `cap`.

    A length the request does not state (chunked, or simply left out) or states as
    anything but digits would have the server read to the end of the stream: refused.
    """
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    chunked = bool(environ.get("HTTP_TRANSFER_ENCODING"))
    if not raw:
        if chunked or environ.get("REQUEST_METHOD", "") in WITH_BODY:
            raise BodyRefused(411, "a body needs a Content-Length", "http.no_length")
        return 0
    if not (raw.isascii() and raw.isdigit()) or chunked:
        raise BodyRefused(400, "Content-Length is not a byte count", "http.bad_length")
    length = int(raw)
    if length > cap:
        raise BodyRefused(413, f"body over {cap} bytes", "http.oversize")
    return length


def slack_refusal(environ: WSGIEnvironment, body: bytes) -> tuple[int, str] | None:
    """What Bolt would answer with a 500 is refused here: a bad timestamp, a non-UTF-8 body."""
    stamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
    if stamp and not (stamp.isascii() and stamp.isdigit()):
        return 401, "the request timestamp is not a number"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "the body is not UTF-8"
    return None


class WebApp:
    """A WSGI app routing by path; every body is capped before it is read, and read once."""

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
        try:
            length = body_length(environ, self.max_body_bytes)
        except BodyRefused as refused:
            self.store.bump(refused.counter)
            return _reply(start, refused.status, {"error": str(refused)})
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        if path == "/slack/events":
            problem = slack_refusal(environ, body)
            if problem is not None:
                return _reply(start, problem[0], {"error": problem[1]})
            return self.slack(environ, start)
        if path == "/sns" and method == "POST":
            status, message = self.sns(body)
            if status == 200:
                self.background.submit(self.deliver)
            return _reply(start, status, {"result": message})
        if path == "/healthz":
            return _reply(start, 200, {"ok": True, "counters": self.store.counters()})
        return _reply(start, 404, {"error": "not found"})


def _reply(start: StartResponse, status: int, body: dict[str, object]) -> list[bytes]:
    payload = json.dumps(body).encode()
    reason = {
        200: "OK",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        411: "Length Required",
        413: "Payload Too Large",
    }
    start(
        f"{status} {reason.get(status, 'Bad Request')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]
