"""Slack's Socket Mode for the stand-in: `apps.connections.open` and a real websocket behind it.

The app asks `apps.connections.open` with its app-level `xapp-` token and gets a `ws://`
URL holding a single-use ticket. On connecting it is greeted with `hello`; a test then
delivers envelopes (`slash_commands`, `interactive`, `events_api`), each with an
`envelope_id`, and gets back the app's ack with its payload (a modal's errors, an
ephemeral text), checked against Slack's rules as any Web API call is. The stand-in can
ask for a refresh (`disconnect` with `refresh_requested` or `warning`) or drop the socket
as a network would, and the app is expected to come back on a new URL.

The server is `websockets`' threaded one: framing, masking, ping/pong and the closing
handshake are RFC 6455's, not ours.
"""

from __future__ import annotations

import json
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.standins.slack_blocks import block_errors, view_errors
from bot.standins.slack_workspace import APP_ID, Json

DEFAULT_APP_TOKEN = "xapp-1-A0KEYCHECK-1-keycheck-standin"  # noqa: S105 - made-up, public
ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
DISCONNECT_REASONS = ("refresh_requested", "warning", "link_disabled")
DEBUG_HOST = "applink-keycheck-standin"
T = TypeVar("T")


@dataclass(frozen=True)
class SocketAck:
    """The app's answer to one envelope; `errors` lists what Slack would refuse in it."""

    envelope_id: str
    payload: Json
    seconds: float
    errors: list[str] = field(default_factory=list)


@dataclass
class _Link:
    """One connected app's socket, and when it was greeted."""

    connection: ServerConnection
    opened: float


def ack_payload_errors(payload: Json) -> list[str]:
    """What Slack would refuse in an ack: a message's blocks or a response_action's view."""
    errors = block_errors(payload["blocks"]) if "blocks" in payload else []
    action = payload.get("response_action")
    if action in ("update", "push"):
        errors += view_errors(payload.get("view"))
    elif action == "errors":
        if not isinstance(payload.get("errors"), dict):
            errors.append("response_action errors needs an `errors` object")
    elif action not in (None, "clear"):
        errors.append(f"unknown response_action {action!r}")
    return errors


class SocketMode:
    """The websocket side of the stand-in: tickets, connected apps, envelopes and their acks."""

    def __init__(self, app_token: str | None, host: str = "127.0.0.1") -> None:
        """`app_token=None` accepts any `xapp-` token, as the sandbox does for `xoxb-`."""
        self.app_token, self.host = app_token, host
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._links: list[_Link] = []
        self._acks: dict[str, SocketAck] = {}
        self._sent: dict[str, float] = {}
        self.connections_opened = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- apps.connections.open -----------------------------------------------------------------

    def open(self, token: str) -> Json:
        """Answer `apps.connections.open`: a one-time URL, or Slack's error for the token."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.app_token is not None and token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        port = self._serve()
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return {"ok": True, "url": f"ws://{self.host}:{port}/link/?ticket={ticket}&app_id={APP_ID}"}

    def _serve(self) -> int:
        """Start the websocket server on first use: most tests never open a socket."""
        with self._lock:
            if self._server is None:
                self._server = serve(self._session, self.host, 0, process_request=self._admit)
                self._thread = threading.Thread(
                    target=self._server.serve_forever, name="slack-socket-mode", daemon=True
                )
                self._thread.start()
            return int(self._server.socket.getsockname()[1])

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            links = list(self._links)
        for link in links:
            link.connection.close()
        if server is not None:
            server.shutdown()
        if thread is not None:
            thread.join(timeout=5)

    # -- the websocket ---------------------------------------------------------------------------

    def _ticket(self, path: str) -> str:
        parts = urlsplit(path)
        tickets = parse_qs(parts.query).get("ticket", [""])
        return tickets[0] if parts.path.rstrip("/") == "/link" else ""

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """Only a ticket from `apps.connections.open`, and only once, opens a socket."""
        ticket = self._ticket(request.path)
        with self._lock:
            if ticket and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _session(self, connection: ServerConnection) -> None:
        link = _Link(connection, time.monotonic())
        with self._lock:
            self._links.append(link)
            self.connections_opened += 1
            count = len(self._links)
        try:
            connection.send(json.dumps(self._hello(count)))
            with self._lock:
                self._lock.notify_all()
            for message in connection:
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._links.remove(link)
                self._lock.notify_all()

    @staticmethod
    def _hello(count: int) -> Json:
        return {
            "type": "hello",
            "num_connections": count,
            "debug_info": {
                "host": DEBUG_HOST,
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": APP_ID},
        }

    def _receive(self, message: str | bytes) -> None:
        """Acks are the only messages an app sends; anything else is ignored, as Slack does."""
        try:
            decoded = json.loads(message)
        except ValueError:
            return
        envelope_id = decoded.get("envelope_id") if isinstance(decoded, dict) else None
        with self._lock:
            if not isinstance(envelope_id, str) or envelope_id not in self._sent:
                return
            payload = decoded.get("payload") or {}
            payload = payload if isinstance(payload, dict) else {"invalid": payload}
            seconds = time.monotonic() - self._sent[envelope_id]
            errors = ack_payload_errors(payload)
            self._acks[envelope_id] = SocketAck(envelope_id, payload, seconds, errors)
            self._lock.notify_all()

    # -- test controls ---------------------------------------------------------------------------

    def connected(self) -> int:
        with self._lock:
            return len(self._links)

    def wait_connected(self, opened: int = 1, timeout: float = 30.0) -> None:
        """Block until `opened` sockets have been greeted in all, and one is still open."""
        self._wait(lambda: self.connections_opened >= opened and bool(self._links), timeout)

    def send(
        self,
        kind: str,
        payload: Json,
        *,
        accepts_response_payload: bool = True,
        timeout: float = 10.0,
    ) -> SocketAck:
        """Deliver one envelope on the newest socket and wait for the app's ack to it."""
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"Socket Mode has no envelope type {kind!r}")
        envelope_id = str(uuid.uuid4())
        envelope: Json = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        with self._lock:
            if not self._links:
                raise ConnectionError("no app is connected over Socket Mode")
            link = self._links[-1]
            self._sent[envelope_id] = time.monotonic()
        link.connection.send(json.dumps(envelope))
        return self._wait(lambda: self._acks.get(envelope_id), timeout)

    def slash_command(self, text: str, *, user: str, channel: str, trigger_id: str) -> SocketAck:
        """`/keycheck` as Socket Mode carries it: the command's fields as a JSON object."""
        payload: Json = {
            "token": "legacy-unused",
            "team_id": "T0KEYCHECK",
            "channel_id": channel,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/keycheck",
            "text": text,
            "api_app_id": APP_ID,
            "response_url": "https://hooks.slack.invalid/commands/unused",
            "trigger_id": trigger_id,
        }
        return self.send("slash_commands", payload)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every connected app to move to a new URL, as Slack does before closing a link."""
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"Socket Mode has no disconnect reason {reason!r}")
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {}})
        for link in self._current():
            link.connection.send(message)

    def drop(self) -> None:
        """Reset every socket with no closing handshake, as a restarted load balancer does."""
        for link in self._current():
            raw = link.connection.socket
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw.shutdown(socket.SHUT_RD)

    def _current(self) -> list[_Link]:
        with self._lock:
            return list(self._links)

    def _wait(self, ready: Callable[[], T | None], timeout: float) -> T:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not (result := ready()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"Socket Mode stand-in: nothing within {timeout}s")
                self._lock.wait(remaining)
            return result
