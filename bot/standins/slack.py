"""A local Slack Web API over real HTTP: point `WebClient(base_url=...)` at it, read what came.

Run it alone as a sandbox with `python -m bot.standins.slack --port 8765`, then set
`SLACK_API_URL=http://127.0.0.1:8765/api/`. In tests, `with SlackStandIn() as slack:`
gives an ephemeral port, records every call with its decoded body, and lets a test
wait for what it expects (`wait_for`) instead of sleeping. Faults are injected with
`fail_next` (429 with Retry-After, or 5xx), and Slack's per-channel posting limit can
be enforced with `channel_rate` (off by default; `post_times` always shows the pacing).
A request's `response_url` is issued with `issue_response_url` and answers POSTs under
`/hooks/`, recorded as calls of the method `response_url`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from bot.standins.slack_socket import DEFAULT_APP_TOKEN, SocketMode
from bot.standins.slack_workspace import (
    ALERTS_CHANNEL_ID,
    DEFAULT_USERGROUPS,
    DEFAULT_USERS,
    Json,
    SlackError,
    StoredFile,
    Workspace,
)
from bot.standins.transcript import render_channel

DEFAULT_TOKEN = "xoxb-keycheck-standin"  # noqa: S105 - the sandbox's public, made-up token
MAX_BODY = 10 * 1024 * 1024
RESPONSE_URL = "response_url"
# A refused response_url POST: a URL Slack does not know (any more) is a 404, the rest 400.
HOOK_GONE = frozenset({"no_service", "expired_url", "used_url"})
JSON_PARAMS = ("blocks", "view", "files", "attachments", "metadata")
T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One Web API request as the stand-in saw it; the token is never kept."""

    method: str
    params: Json
    time: float
    status: int
    error: str = ""
    response: Json = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Fault:
    status: int
    error: str
    retry_after: int | None


class _Bucket:
    """Slack's posting limit per channel: `rate` messages a second after a burst of `burst`."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, float(burst), now

    def take(self, now: float) -> float:
        """0 when a message may go now, else the seconds until one may."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def _decode_json_params(params: Json) -> Json:
    """Form posts carry blocks and views as JSON strings; record and check them decoded."""
    for name in JSON_PARAMS:
        value = params.get(name)
        if isinstance(value, str):
            try:
                params[name] = json.loads(value)
            except ValueError:
                continue
    return params


class SlackStandIn:
    """The Slack Web API methods keycheck uses, with a workspace a test can inspect."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = DEFAULT_TOKEN,
        users: Mapping[str, str] = DEFAULT_USERS,
        usergroups: Mapping[str, Sequence[str]] = DEFAULT_USERGROUPS,
        channel_rate: float | None = None,
        channel_burst: int = 1,
        strict_triggers: bool = False,
        clock: Callable[[], float] = time.monotonic,
        on_call: Callable[[Call], None] | None = None,
        app_token: str | None = DEFAULT_APP_TOKEN,
    ) -> None:
        """`token=None` accepts any `xoxb-` token (sandbox); tests pin one to see invalid_auth."""
        self.host, self.port, self.token = host, port, token
        self.clock = clock
        self.on_call = on_call
        self.channel_rate, self.channel_burst = channel_rate, channel_burst
        self._config = (dict(users), dict(usergroups), strict_triggers)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.workspace = self._new_workspace()
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._refusals: list[tuple[str, Callable[[Json], bool], str]] = []
        self._buckets: dict[str, _Bucket] = {}
        self._late: dict[str, deque[float]] = defaultdict(deque)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.socket_mode = SocketMode(app_token, host)

    def _new_workspace(self) -> Workspace:
        users, usergroups, strict = self._config
        return Workspace(
            users=users,
            usergroups=usergroups,
            clock=self.clock,
            strict_triggers=strict,
            lock=self._lock,
        )

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.standin = self  # type: ignore[attr-defined]
        self._server, self.port = server, int(server.server_address[1])
        self.workspace.upload_base = self.base
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="slack-standin"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.socket_mode.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def url(self) -> str:
        """The Web API base for `WebClient(base_url=...)`: it must end in `/api/`."""
        return f"{self.base}api/"

    def reset(self) -> None:
        """Back to the starting workspace: no calls, messages, views, files or faults."""
        with self._changed:
            self.workspace = self._new_workspace()
            self.workspace.upload_base = self.base
            self._calls.clear()
            self._faults.clear()
            self._refusals.clear()
            self._buckets.clear()
            self._late.clear()

    # -- test controls ---------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        *,
        error: str = "",
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with an error instead of running them."""
        code = error or ("ratelimited" if status == 429 else "internal_error")
        fault = Fault(status, code, retry_after if status == 429 else None)
        with self._changed:
            self._faults[method].extend([fault] * times)

    def refuse(self, method: str, when: Callable[[Json], bool], error: str) -> None:
        """Answer every call of `method` whose parameters match `when` with Slack's `error`.

        For the refusals Slack makes by content (`msg_blocks_too_long`, `invalid_blocks`):
        the calls around the matching one are answered as usual.
        """
        with self._changed:
            self._refusals.append((method, when, error))

    def issue_trigger(self, channel: str, user: str) -> str:
        """A trigger_id as Slack puts in an interaction: single use, valid for three seconds."""
        return self.workspace.issue_trigger(
            self.workspace.find_channel(channel, by_name=True).id, user
        )

    def add_user(
        self, user_id: str, name: str, *, channels: Sequence[str] = (ALERTS_CHANNEL_ID,)
    ) -> None:
        self.workspace.add_user(user_id, name, channels=channels)

    def add_channel(
        self,
        name: str,
        *,
        members: Sequence[str] = (),
        bot_member: bool = True,
        is_private: bool = False,
    ) -> str:
        """A channel to test with; `bot_member=False` makes posting answer not_in_channel,
        or channel_not_found in a private one (keycheck cannot see it)."""
        channel = self.workspace.add_channel(
            name, members=members, bot_member=bot_member, is_private=is_private
        )
        return channel.id

    def add_dm(self, user: str, other: str) -> str:
        """A direct message between two people, which keycheck is not part of."""
        return self.workspace.add_channel(
            f"dm-{user}-{other}".lower(), members=[user, other], bot_member=False, is_im=True
        ).id

    def issue_response_url(self, channel: str, user: str, source_ts: str = "") -> str:
        """The response_url Slack would put in a command (no `source_ts`) or a click on one."""
        try:
            channel_id = self.channel_id(channel)
        except SlackError:
            channel_id = channel
        return self.workspace.issue_hook(
            channel_id, user, source_ts=source_ts, command=not source_ts
        )

    def set_email(self, user_id: str, email: str) -> None:
        self.workspace.set_email(user_id, email)

    def direct_messages(self, user_id: str) -> list[Json]:
        """What keycheck said to one person in their direct message with it, oldest first."""
        with self._lock:
            ims = [c.id for c in self.workspace.channels.values() if c.is_im and c.name == user_id]
            return [m for channel in ims for m in self.channel_messages(channel)]

    def set_usergroup(self, group_id: str, members: Sequence[str]) -> None:
        with self._changed:
            self.workspace.usergroups[group_id] = list(members)

    def answer_late(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Do the next `times` calls of `method` at once but answer them `seconds` later: a
        Slack that posted, then was slower to say so than the client waits."""
        with self._changed:
            self._late[method].extend([seconds] * times)

    def wait_for(self, predicate: Callable[[SlackStandIn], T], timeout: float = 5.0) -> T:
        """Block until `predicate(self)` is truthy after some call; return its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := predicate(self)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"Slack stand-in: condition not met within {timeout}s")
                self._changed.wait(remaining)
            return result

    def wait_for_call(
        self, method: str, where: Callable[[Call], bool] | None = None, timeout: float = 5.0
    ) -> Call:
        """The first call of `method` (matching `where`), waiting for it to arrive."""

        def found(standin: SlackStandIn) -> list[Call]:
            return [c for c in standin.calls if c.method == method and (where is None or where(c))]

        return self.wait_for(found, timeout)[0]

    # -- what arrived ----------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._changed:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def channel_id(self, channel: str) -> str:
        with self._changed:
            return self.workspace.find_channel(channel, by_name=True).id

    def channel_messages(self, channel: str = ALERTS_CHANNEL_ID) -> list[Json]:
        """Top-level messages, oldest first, in their latest version (as conversations.history)."""
        with self._changed:
            channel_id = self.channel_id(channel)
            return [self.workspace.message_json(m) for m in self.workspace.top_level(channel_id)]

    def thread(self, channel: str, ts: str) -> list[Json]:
        """The parent then its replies, oldest first (as conversations.replies)."""
        with self._changed:
            channel_id = self.channel_id(channel)
            parent = self.workspace.messages.get((channel_id, ts))
            if parent is None:
                return []
            replies = self.workspace.replies(channel_id, parent.ts)
            return [self.workspace.message_json(m) for m in [parent, *replies]]

    def ephemerals(self, channel: str = ALERTS_CHANNEL_ID) -> list[Json]:
        with self._changed:
            channel_id = self.channel_id(channel)
            return [
                self.workspace.message_json(m)
                for m in sorted(self.workspace.messages.values(), key=lambda m: m.ts)
                if m.channel == channel_id and m.ephemeral_to
            ]

    def views(self) -> list[Json]:
        """Every modal opened or pushed, in its latest version, oldest first."""
        with self._changed:
            return [self.workspace.view_json(v) for v in self.workspace.views.values()]

    def files(self) -> list[StoredFile]:
        with self._changed:
            return list(self.workspace.files.values())

    def pins(self, channel: str) -> list[str]:
        with self._changed:
            return list(self.workspace.find_channel(channel, by_name=True).pins)

    def channel_info(self, channel: str) -> Json:
        with self._changed:
            info = self.workspace.find_channel(channel, by_name=True).info()
            info["members"] = sorted(self.workspace.find_channel(channel, by_name=True).members)
            return info

    def post_times(self, channel: str) -> list[float]:
        """When each message (top level or reply) went into a channel, on the stand-in's clock."""
        with self._changed:
            channel_id = self.channel_id(channel)
            return sorted(
                m.posted_at
                for m in self.workspace.messages.values()
                if m.channel == channel_id and not m.ephemeral_to and not m.files
            )

    def channel_log(self, channel: str = ALERTS_CHANNEL_ID) -> list[Json]:
        """Everything a person in the channel saw, in order: messages, ephemerals, modals."""
        with self._changed:
            channel_id = self.channel_id(channel)
            ws = self.workspace
            entries = [ws.message_json(m) for m in ws.messages.values() if m.channel == channel_id]
            entries += [
                {"type": "modal", "ts": v.seq, "user": v.user, "view": ws.view_json(v)}
                for v in ws.views.values()
                if v.channel == channel_id
            ]
            return sorted(entries, key=lambda entry: entry["ts"])

    def transcript(self, channel: str = ALERTS_CHANNEL_ID, width: int = 100) -> str:
        return render_channel(self.channel_log(channel), width=width)

    # -- request handling --------------------------------------------------------------------------

    def _authorised(self, token: str) -> str:
        if not token:
            return "not_authed"
        if self.token is None:
            return "" if token.startswith("xoxb-") else "invalid_auth"
        return "" if token == self.token else "invalid_auth"

    def _rate_limited(self, method: str, params: Json) -> float:
        if self.channel_rate is None or method != "chat.postMessage":
            return 0.0
        try:
            channel_id = self.workspace.find_channel(params.get("channel"), by_name=True).id
        except SlackError:
            return 0.0
        now = self.clock()
        bucket = self._buckets.setdefault(
            channel_id, _Bucket(self.channel_rate, self.channel_burst, now)
        )
        return bucket.take(now)

    def answer(self, method: str, params: Json, token: str) -> tuple[int, Json, dict[str, str]]:
        """Run one call as Slack would and record it: (HTTP status, body, extra headers)."""
        with self._changed:
            status, body, headers = self._answer(method, params, token)
            call = Call(method, params, self.clock(), status, str(body.get("error", "")), body)
            self._calls.append(call)
            self._changed.notify_all()
            late = self._late[method].popleft() if self._late.get(method) else 0.0
        if self.on_call is not None:
            self.on_call(call)
        if late:
            time.sleep(late)
        return status, body, headers

    def respond(self, path: str, body: bytes, content_type: str) -> tuple[int, Json]:
        """A POST to a response_url: JSON only (Slack's rule), then the workspace's checks."""
        status, answer = 200, Json(ok=True)
        params: Json = {}
        try:
            decoded = json.loads(body) if content_type == "application/json" else None
        except ValueError:
            decoded = None
        with self._changed:
            if not isinstance(decoded, dict):
                status, answer = 400, {"ok": False, "error": "invalid_payload"}
            else:
                params = _decode_json_params(decoded)
                try:
                    self.workspace.respond(path, params)
                except SlackError as error:
                    status = 404 if error.error in HOOK_GONE else 400
                    answer = {"ok": False, "error": error.error}
                    if error.messages:
                        answer["response_metadata"] = {"messages": error.messages}
            call = Call(RESPONSE_URL, params, self.clock(), status, str(answer.get("error", "")))
            self._calls.append(call)
            self._changed.notify_all()
        if self.on_call is not None:
            self.on_call(call)
        return status, answer

    def _answer(self, method: str, params: Json, token: str) -> tuple[int, Json, dict[str, str]]:
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            return fault.status, {"ok": False, "error": fault.error}, headers
        refused = next(
            (error for name, when, error in self._refusals if name == method and when(params)),
            "",
        )
        if refused:
            return 200, {"ok": False, "error": refused}, {}
        if method == "apps.connections.open":
            return 200, self.socket_mode.open(token), {}
        refusal = self._authorised(token)
        if refusal:
            return 200, {"ok": False, "error": refusal}, {}
        wait = self._rate_limited(method, params)
        if wait > 0:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(math.ceil(wait))}
        try:
            return 200, self.workspace.call(method, params), {}
        except SlackError as error:
            body: Json = {"ok": False, "error": error.error}
            if error.messages:
                body["response_metadata"] = {"messages": error.messages}
            return (404 if error.error == "unknown_method" else 200), body, {}


class _Handler(BaseHTTPRequestHandler):
    """HTTP plumbing only: decode the request, let the stand-in answer, encode the reply."""

    protocol_version = "HTTP/1.1"
    server_version = "keycheck-slack-standin"

    @property
    def standin(self) -> SlackStandIn:
        standin: SlackStandIn = self.server.standin  # type: ignore[attr-defined]
        return standin

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: calls are recorded, and request lines could carry tokens in a query string."""

    def do_GET(self) -> None:
        self._api(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, {"ok": False, "error": "request_too_large"}, close=True)
            return
        body = self.rfile.read(length)
        path = urlsplit(self.path).path
        if path.startswith("/hooks/"):
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            self._send(*self.standin.respond(path, body, kind))
            return
        if path.startswith("/upload/v1/"):
            stored = self.standin.workspace.receive_upload(path.rsplit("/", 1)[-1], body)
            self._send_text(200 if stored else 404, f"OK - {len(body)}" if stored else "not found")
            return
        self._api(body)

    def _params(self, body: bytes) -> Json | None:
        params: Json = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        text = body.decode("utf-8", errors="replace")
        if kind == "application/json" and text.strip():
            try:
                decoded = json.loads(text)
            except ValueError:
                return None
            if not isinstance(decoded, dict):
                return None
            params.update(decoded)
        elif text:
            params.update(parse_qsl(text, keep_blank_values=True))
        return _decode_json_params(params)

    def _api(self, body: bytes) -> None:
        path = urlsplit(self.path).path
        if not path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "unknown_method"})
            return
        params = self._params(body)
        if params is None:
            self._send(200, {"ok": False, "error": "invalid_json"})
            return
        auth = self.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip() or str(params.pop("token", ""))
        params.pop("token", None)
        status, answer, headers = self.standin.answer(path.removeprefix("/api/"), params, token)
        self._send(status, answer, headers)

    def _send(
        self, status: int, body: Json, headers: Mapping[str, str] | None = None, close: bool = False
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        try:
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up on a late answer
            self.close_connection = True

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _print_call(call: Call) -> None:
    channel = call.params.get("channel") or call.params.get("channel_id") or ""
    outcome = "ok" if call.ok else f"{call.status} {call.error}"
    print(f"{call.method:<30} {channel!s:<14} {outcome}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted, printing one line per call."""
    parser = argparse.ArgumentParser(prog="python -m bot.standins.slack", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--require-token",
        action="store_true",
        help=f"accept only {DEFAULT_TOKEN} (default: any xoxb- token)",
    )
    args = parser.parse_args(argv)
    token = DEFAULT_TOKEN if args.require_token else None
    app_token = DEFAULT_APP_TOKEN if args.require_token else None
    standin = SlackStandIn(
        host=args.host, port=args.port, token=token, on_call=_print_call, app_token=app_token
    )
    with standin:
        print(f"Slack stand-in at {standin.url} (#security-alerts is {ALERTS_CHANNEL_ID})")
        print(f"Point keycheck at it: SLACK_API_URL={standin.url}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
