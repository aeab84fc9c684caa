"""Who may press: listed users and the responder group, nobody by default, failing closed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot.respond.authorization import Responders, Verdict, channel_of, responders_only, user_of
from bot.config import Settings
from bot.slack.messenger import SlackDeliveryError

GROUP = "S0RESPONDERS"


class Group:
    """usergroups.users.list as a function: counts its calls, can be changed or broken."""

    def __init__(self, members: list[str]) -> None:
        self.members = members
        self.calls = 0
        self.broken = False

    def __call__(self, group_id: str) -> list[str]:
        self.calls += 1
        if self.broken:
            raise SlackDeliveryError("usergroups.users.list", "ratelimited")
        assert group_id == GROUP
        return list(self.members)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def responders(
    group: Group | None = None, *, ids: list[str] | None = None, clock: Clock | None = None
) -> Responders:
    settings = Settings(
        _env_file=None,
        responders=ids or [],
        responder_group=GROUP if group else "",
        responder_cache_seconds=60,
    )
    return Responders(settings, group or Group([]), clock=clock or Clock())


def test_nobody_may_act_when_no_responders_are_configured() -> None:
    auth = responders()

    assert auth.check("U0ANYONE") is Verdict.NONE_CONFIGURED
    assert auth.check("") is Verdict.NONE_CONFIGURED


def test_listed_users_may_act_and_others_may_not() -> None:
    auth = responders(ids=["U0RESPONDER"])

    assert auth.check("U0RESPONDER") is Verdict.ALLOWED
    assert auth.check("U0STRANGER") is Verdict.NOT_RESPONDER
    assert auth.check("") is Verdict.NOT_RESPONDER


def test_group_members_may_act_and_the_group_is_read_once_per_period() -> None:
    group, clock = Group(["U0ALICE"]), Clock()
    auth = responders(group, clock=clock)

    assert [auth.check("U0ALICE"), auth.check("U0ALICE"), auth.check("U0BOB")] == [
        Verdict.ALLOWED,
        Verdict.ALLOWED,
        Verdict.NOT_RESPONDER,
    ]
    assert group.calls == 1


def test_someone_removed_from_the_group_loses_the_buttons_after_the_cache() -> None:
    group, clock = Group(["U0ALICE"]), Clock()
    auth = responders(group, clock=clock)
    assert auth.check("U0ALICE") is Verdict.ALLOWED

    group.members = []
    clock.now += 30
    assert auth.check("U0ALICE") is Verdict.ALLOWED
    clock.now += 31
    assert auth.check("U0ALICE") is Verdict.NOT_RESPONDER


def test_when_slack_cannot_say_group_members_are_refused_but_listed_users_are_not() -> None:
    group = Group(["U0ALICE"])
    group.broken = True
    auth = responders(group, ids=["U0RESPONDER"])

    assert auth.check("U0ALICE") is Verdict.UNVERIFIED
    assert auth.check("U0RESPONDER") is Verdict.ALLOWED
    group.broken = False
    assert auth.check("U0ALICE") is Verdict.ALLOWED


def test_everyone_is_the_listed_users_and_the_group() -> None:
    auth = responders(Group(["U0ALICE", "U0RESPONDER"]), ids=["U0RESPONDER", "U0BOB"])

    assert auth.everyone() == ["U0ALICE", "U0BOB", "U0RESPONDER"]


def test_user_and_channel_come_from_any_kind_of_request() -> None:
    command = {"user_id": "U1", "channel_id": "C1"}
    click = {"user": {"id": "U2"}, "channel": {"id": "C2"}}
    view = {"user": {"id": "U3"}, "container": {"channel_id": "C3"}}

    assert [user_of(b) for b in (command, click, view)] == ["U1", "U2", "U3"]
    assert [channel_of(b) for b in (command, click, view)] == ["C1", "C2", "C3"]


class Messenger:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def ephemeral(self, channel: str, user: str, text: str) -> None:
        self.sent.append((channel, user, text))


class Store:
    def __init__(self) -> None:
        self.bumped: list[str] = []

    def bump(self, counter: str, by: int = 1) -> int:
        self.bumped.append(counter)
        return len(self.bumped)


@pytest.fixture
def services() -> Any:
    return SimpleNamespace(
        auth=responders(ids=["U0RESPONDER"]), messenger=Messenger(), store=Store()
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
