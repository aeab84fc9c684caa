"""Who may press keycheck's buttons: responders by Slack user id or user group, nobody else."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum

from bot.config import Settings
from bot.errors import KeycheckError

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
