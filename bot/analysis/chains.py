"""Keys that mint keys, followed to a bounded depth.

STS calls (AssumeRole, GetSessionToken and friends) mint temporary keys; IAM's
CreateAccessKey, made by a key in the chain for any user, mints a long-term one: a
backdoor that outlives every session and must be followed as far as the sessions are.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.analysis.report import DerivedKey
from bot.events import TimelineEvent

STS = "sts.amazonaws.com"
MINTING_CALLS = frozenset(
    {
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "GetSessionToken",
        "GetFederationToken",
    }
)
IAM = "iam.amazonaws.com"
CREATE_ACCESS_KEY = "CreateAccessKey"
DEFAULT_DEPTH = 3
_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")


def account_of(arn: str) -> str:
    """The account id in an IAM or STS ARN, or ''."""
    match = _ARN_ACCOUNT.match(arn)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Minted:
    """A new key, where it lives, and the event that made it; `user_name` for an IAM key."""

    key_id: str
    account_id: str
    role_arn: str
    session_name: str
    event: TimelineEvent
    user_name: str = ""


def minted_key(event: TimelineEvent) -> Minted | None:
    """The key a successful STS call or CreateAccessKey returned.

    A role's account may differ from the caller's; a created key lives in the account the
    call was made in, for the user named in the response (the caller's own when none is).
    """
    if event.error_code:
        return None
    if event.event_source == IAM and event.event_name == CREATE_ACCESS_KEY:
        return _created_key(event)
    if event.event_source != STS or event.event_name not in MINTING_CALLS:
        return None
    credentials = event.response_elements.get("credentials")
    key_id = credentials.get("accessKeyId") if isinstance(credentials, dict) else None
    if not key_id:
        return None
    params = event.request_parameters
    role_arn = str(params.get("roleArn", ""))
    federated = event.response_elements.get("federatedUser")
    if not role_arn and isinstance(federated, dict):
        role_arn = str(federated.get("arn", ""))
    session = str(params.get("roleSessionName") or params.get("name") or "")
    account = account_of(role_arn) or event.recipient_account_id or event.account_id
    return Minted(str(key_id), account, role_arn, session, event)


def _created_key(event: TimelineEvent) -> Minted | None:
    created = event.response_elements.get("accessKey")
    key_id = created.get("accessKeyId") if isinstance(created, dict) else None
    if not isinstance(created, dict) or not key_id:
        return None
    user = created.get("userName") or event.request_parameters.get("userName") or event.user_name
    account = event.recipient_account_id or event.account_id
    return Minted(str(key_id), account, "", "", event, user_name=str(user or ""))


def derived_key(minted: Minted, parent_chain: list[str]) -> DerivedKey:
    return DerivedKey(
        access_key_id=minted.key_id,
        derived_from=parent_chain[-1],
        account_id=minted.account_id,
        role_arn=minted.role_arn,
        session_name=minted.session_name,
        user_name=minted.user_name,
        via=minted.event.event_name,
        event_id=minted.event.event_id,
        minted_at=minted.event.time,
        chain=[*parent_chain, minted.key_id],
    )


@dataclass
class Chains:
    """Every key reached from the roots, with the path that reached it."""

    paths: dict[str, list[str]]
    derived: list[DerivedKey]


def follow_chains(
    events: Sequence[TimelineEvent], roots: Iterable[str], depth: int = DEFAULT_DEPTH
) -> Chains:
    """Breadth-first from the roots through the keys each one minted, `depth` hops at most."""
    by_key: dict[str, list[TimelineEvent]] = {}
    for event in events:
        by_key.setdefault(event.access_key_id, []).append(event)
    paths = {root: [root] for root in roots if root}
    derived: list[DerivedKey] = []
    queue = deque(paths)
    while queue:
        key = queue.popleft()
        if len(paths[key]) > depth:
            continue
        for event in by_key.get(key, []):
            minted = minted_key(event)
            if minted is None or minted.key_id in paths:
                continue
            paths[minted.key_id] = [*paths[key], minted.key_id]
            derived.append(derived_key(minted, paths[key]))
            queue.append(minted.key_id)
    return Chains(paths, derived)


def root_keys(events: Sequence[TimelineEvent]) -> list[str]:
    """Keys in the input that no other key in it minted: where chains start.

    A key created from the console (no access key in the record) starts a chain of its own.
    """
    present = {event.access_key_id for event in events if event.access_key_id}
    minted = {
        m.key_id
        for m in map(minted_key, events)
        if m is not None and m.event.access_key_id in present
    }
    return sorted(present - minted) or sorted(present)
