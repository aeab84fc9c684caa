"""Who may press keycheck's buttons: responders by Slack user id or user group, nobody else."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltResponse

from bot.config import Settings
from bot.errors import KeycheckError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

GroupMembers = Callable[[str], list[str]]


class Verdict(StrEnum):
    ALLOWED = "allowed"
    NOT_RESPONDER = "not-responder"
    NONE_CONFIGURED = "none-configured"
    UNVERIFIED = "unverified"


VERDICT_TEXT = {
    Verdict.NOT_RESPONDER: (
        "You are not a keycheck responder, so nothing was done. "
        "Ask the security team to add you to the responders if you should be one."
    ),
    Verdict.NONE_CONFIGURED: (
        "No keycheck responders are configured, so no action can run. "
        "Set KEYCHECK_RESPONDERS (Slack user ids) or KEYCHECK_RESPONDER_GROUP."
    ),
    Verdict.UNVERIFIED: (
        "keycheck could not check the responder group with Slack just now, so nothing was "
        "done. Try again in a moment."
    ),
}


class Responders:
    """Answers "may this Slack user act?"; deny by default, group membership cached briefly.

    The group is read with `usergroups.users.list`, so someone removed from it loses the
    buttons within `responder_cache_seconds`. When Slack cannot be asked, nobody from the
    group is let through (the listed user ids still are): failing closed is the point.
    """

    def __init__(
        self,
        settings: Settings,
        group_members: GroupMembers,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ids = frozenset(user for user in settings.responders if user)
        self.group = settings.responder_group.strip()
        self.ttl = float(settings.responder_cache_seconds)
        self._group_members = group_members
        self._clock = clock
        self._cached: tuple[float, frozenset[str]] | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.ids or self.group)

    def check(self, user_id: str) -> Verdict:
        if not self.configured:
            return Verdict.NONE_CONFIGURED
        if user_id and user_id in self.ids:
            return Verdict.ALLOWED
        if not user_id or not self.group:
            return Verdict.NOT_RESPONDER
        try:
            members = self._members_of_group()
        except KeycheckError as error:
            log.warning("responder group %s could not be read: %s", self.group, error)
            return Verdict.UNVERIFIED
        return Verdict.ALLOWED if user_id in members else Verdict.NOT_RESPONDER

    def everyone(self) -> list[str]:
        """Every responder, for inviting them to an incident channel; the group if readable."""
        members: frozenset[str] = frozenset()
        if self.group:
            try:
                members = self._members_of_group()
            except KeycheckError as error:
                log.warning("responder group %s could not be read: %s", self.group, error)
        return sorted(self.ids | members)

    def _members_of_group(self) -> frozenset[str]:
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < self.ttl:
                return self._cached[1]
            members = frozenset(self._group_members(self.group))
            self._cached = (now, members)
            return members


def user_of(body: dict[str, Any]) -> str:
    """The Slack user who sent a command, click, submission or shortcut."""
    user = body.get("user_id") or body.get("user") or ""
    return str(user.get("id", "") if isinstance(user, dict) else user)


def channel_of(body: dict[str, Any]) -> str:
    """Where the request came from; a modal's submission carries it in its metadata."""
    channel = body.get("channel_id") or body.get("channel") or ""
    if isinstance(channel, dict):
        return str(channel.get("id", ""))
    if channel:
        return str(channel)
    container = body.get("container") or {}
    return str(container.get("channel_id", ""))


ChannelFinder = Callable[[dict[str, Any]], str]


def responders_only(
    services: Services, *, channel: ChannelFinder = channel_of
) -> Callable[..., BoltResponse | None]:
    """A Bolt listener middleware: a responder goes on to the listener; anyone else is told no.

    A refusal acknowledges the request (Slack gets its 200), tells the person in an
    ephemeral message, logs the attempt and counts it; no listener, modal or AWS call runs.
    """

    def middleware(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        user = user_of(body)
        verdict = services.auth.check(user)
        if verdict is Verdict.ALLOWED:
            next()
            return None
        log.warning(
            "refused %s from %s (%s)", _what(body), user or "an unknown user", verdict.value
        )
        services.store.bump("auth.refused")
        where = channel(body)
        if where and user:
            try:
                services.messenger.ephemeral(where, user, VERDICT_TEXT[verdict])
            except KeycheckError as error:
                log.warning("could not tell %s they were refused: %s", user, error)
        return BoltResponse(status=200, body="")

    return middleware


def _what(body: dict[str, Any]) -> str:
    """The request in a few words for the log: which button, command or view."""
    actions = body.get("actions") or []
    if actions and isinstance(actions[0], dict):
        return f"button {str(actions[0].get('action_id', ''))[:40]}"
    if body.get("command"):
        return f"command {str(body['command'])[:20]}"
    view = body.get("view") or {}
    return f"{body.get('type', 'request')} {str(view.get('callback_id', ''))[:40]}".strip()
