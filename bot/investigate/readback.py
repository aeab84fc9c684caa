"""What the chain made, as IAM has it now: is the key still active, the user still there?

Each answer is read in the item's own account through the responder role. A read that
fails says so in the item's state ("unknown: AccessDenied"), never as "gone": a timeline
must not claim a backdoor is closed because the bot could not look.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.analysis.chains import CREATE_ACCESS_KEY
from bot.analysis.exposure import trusted_principals
from bot.analysis.footprint import FootprintItem, FootprintKind
from bot.analysis.report import DerivedKey
from bot.aws.iam import (
    GONE,
    access_key_status,
    attached_policy_arns,
    inline_policy,
    role_trust,
    user_exists,
)
from bot.aws.policies import has_login_profile
from bot.aws.sessions import Sessions
from bot.domain.policies import DENY_ALL
from bot.investigate.describe import describe_error

log = logging.getLogger(__name__)

Reader = Callable[[Any, FootprintItem], str]


def _key(iam: Any, item: FootprintItem) -> str:
    return access_key_status(iam, item.target, item.detail)


def _user(iam: Any, item: FootprintItem) -> str:
    if not user_exists(iam, item.target):
        return GONE
    return "denied all" if inline_policy(iam, "user", item.target, DENY_ALL) else "exists"


def _login(iam: Any, item: FootprintItem) -> str:
    return "set" if has_login_profile(iam, item.target) else "removed"


def _attached(iam: Any, item: FootprintItem) -> str:
    attached = item.detail in attached_policy_arns(iam, item.target_type, item.target)
    return "attached" if attached else "detached"


def _inline(iam: Any, item: FootprintItem) -> str:
    present = inline_policy(iam, item.target_type, item.target, item.detail) is not None
    return "present" if present else "removed"


def _role(iam: Any, item: FootprintItem) -> str:
    return "exists" if role_trust(iam, item.target) is not None else GONE


def _trust(iam: Any, item: FootprintItem) -> str:
    document = role_trust(iam, item.target)
    if document is None:
        return GONE
    trusted = {value for _, value in trusted_principals(document)}
    return "still trusted" if item.detail in trusted else "removed"


READERS: dict[FootprintKind, Reader] = {
    FootprintKind.ACCESS_KEY: _key,
    FootprintKind.USER: _user,
    FootprintKind.LOGIN_PROFILE: _login,
    FootprintKind.ATTACHED_POLICY: _attached,
    FootprintKind.INLINE_POLICY: _inline,
    FootprintKind.ROLE: _role,
    FootprintKind.TRUST: _trust,
}


def _read(sessions: Sessions, account_id: str, what: str, reader: Callable[[Any], str]) -> str:
    try:
        return reader(sessions.client("iam", account_id))
    except Exception as error:  # any failure is shown on the item; the timeline still posts
        log.warning("could not read back %s: %s", what, describe_error(error))
        return f"unknown: {describe_error(error)}"


def _state(sessions: Sessions, item: FootprintItem) -> str:
    if item.target_type == "group":
        return ""  # a group's grants are listed for the record; the console shows them
    return _read(sessions, item.account_id, item.label, lambda iam: READERS[item.kind](iam, item))


def read_footprint(sessions: Sessions, items: Sequence[FootprintItem]) -> list[FootprintItem]:
    """The items with `state` set from IAM, in the same order."""
    return [replace(item, state=_state(sessions, item)) for item in items]


def _key_status(sessions: Sessions, key: DerivedKey) -> str:
    return _read(
        sessions,
        key.account_id,
        f"key {key.access_key_id}",
        lambda iam: access_key_status(iam, key.user_name, key.access_key_id),
    )


def read_key_states(sessions: Sessions, keys: Sequence[DerivedKey]) -> list[DerivedKey]:
    """Keys made with CreateAccessKey with their status now; STS keys are left as they are."""
    return [
        replace(key, status=_key_status(sessions, key)) if key.via == CREATE_ACCESS_KEY else key
        for key in keys
    ]
