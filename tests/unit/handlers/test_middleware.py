"""The listeners' guard: a responder goes through, anyone else is told no and counted."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot.config import Settings
from bot.respond.authorization import Responders
from handlers.middleware import responders_only
from handlers.payloads import channel_of, user_of


def test_user_and_channel_come_from_any_kind_of_request() -> None:
    command = {"command": "/keycheck", "user_id": "U1", "channel_id": "C1"}
    click = {"user": {"id": "U2"}, "channel": {"id": "C2"}}
    view = {"user": {"id": "U3"}, "container": {"channel_id": "C3"}}

    assert [user_of(b) for b in (command, click, view)] == ["U1", "U2", "U3"]
    assert [channel_of(b) for b in (command, click, view)] == ["C1", "C2", "C3"]


class Messenger:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def ephemeral(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.sent.append((channel, user, text))


class Store:
    def __init__(self) -> None:
        self.bumped: list[str] = []

    def bump(self, counter: str, by: int = 1) -> int:
        self.bumped.append(counter)
        return len(self.bumped)


@pytest.fixture
def services() -> Any:
    settings = Settings(_env_file=None, responders=["U0RESPONDER"])
    return SimpleNamespace(
        responders=Responders(settings, lambda group: []), messenger=Messenger(), store=Store()
    )


def test_the_middleware_lets_a_responder_through(services: Any) -> None:
    passed: list[bool] = []
    body = {"user": {"id": "U0RESPONDER"}, "channel": {"id": "C0ALERTS"}}

    response = responders_only(services)(body, lambda: passed.append(True))

    assert passed == [True] and response is None
    assert services.messenger.sent == [] and services.store.bumped == []


def test_the_middleware_answers_a_stranger_and_goes_no_further(
    services: Any, caplog: pytest.LogCaptureFixture
) -> None:
    passed: list[bool] = []
    body = {
        "user": {"id": "U0STRANGER"},
        "channel": {"id": "C0ALERTS"},
        "actions": [{"action_id": "kc_deactivate_key"}],
    }

    response = responders_only(services)(body, lambda: passed.append(True))

    assert passed == [] and response is not None and response.status == 200
    [(channel, user, text)] = services.messenger.sent
    assert (channel, user) == ("C0ALERTS", "U0STRANGER") and "not a keycheck responder" in text
    assert services.store.bumped == ["auth.refused"]
    assert "U0STRANGER" in caplog.text and "kc_deactivate_key" in caplog.text
