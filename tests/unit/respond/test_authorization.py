"""Who may press: listed users and the responder group, nobody by default, failing closed."""

from __future__ import annotations

from bot.config import Settings
from bot.respond.authorization import Responders, Verdict
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
