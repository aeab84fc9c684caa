"""AWS helpers for tests: keys shaped like real ones, a leaked user, and botocore call hooks."""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from botocore.exceptions import ClientError

from bot.standins.aws import create_realistic_key


class Events(Protocol):
    """A botocore event emitter: `boto3.Session().events` or `client.meta.events`."""

    def register(self, event_name: str, handler: Any, unique_id: str | None = None) -> None: ...


def seed_leaked_user(
    iam: Any, user_name: str = "app-integration-user"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A bare user with one active long-term key: no policies, so tests see only their own."""
    user: dict[str, Any] = iam.create_user(UserName=user_name)["User"]
    return user, create_realistic_key(iam, user_name)


class Calls:
    """Counts one AWS operation as clients of a session make it (before moto sees it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.params: list[dict[str, Any]] = []

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self.params.append(_api_params(params.get("body")))

    def __len__(self) -> int:
        return len(self.params)


def _api_params(body: object) -> dict[str, Any]:
    """The call's parameters from a serialized request: JSON (Support) or query (IAM, STS)."""
    if isinstance(body, bytes | str) and body:
        loaded: dict[str, Any] = json.loads(body)
        return loaded
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in {"Action", "Version"}}
    return {}


def count_calls(events: Events, operation: str) -> Calls:
    """Count `service.OperationName` calls, e.g. `iam.UpdateAccessKey`.

    Register before the client is made: a client copies its session's hooks when created.
    """
    calls = Calls()
    events.register(f"before-call.{operation}", calls)
    return calls


def fail_first(events: Events, operation: str, code: str, times: int, status: int = 400) -> Calls:
    """The first `times` calls of `operation` fail with `code`; later ones go through."""
    calls = Calls()
    name = operation.partition(".")[2]

    def hook(params: dict[str, Any], **_: Any) -> None:
        calls(params)
        if len(calls) <= times:
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": f"{code} (injected by the test)"},
                    "ResponseMetadata": {"HTTPStatusCode": status},
                },
                name,
            )

    events.register(f"before-call.{operation}", hook)
    return calls


class _Http:
    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only stand-in


def answer(events: Events, operation: str, response: dict[str, Any]) -> Calls:
    """Answer `operation` with `response` without a request: for what moto lacks."""
    calls = Calls()

    def hook(params: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]]:
        calls(params)
        return _Http(), response

    events.register(f"before-call.{operation}", hook)
    return calls
