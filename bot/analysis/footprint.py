"""What the chain left behind: the identities, keys, grants and trusts its calls created.

Rotating the leaked key stops that key; every user, key, password, grant and trust the
attacker made with it stays. This lists them from the timeline's successful calls, one
item each, with what is needed to read its state back and to contain it. Pure: the state
is read from IAM elsewhere and set on the items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.analysis.exposure import trusted_principals
from bot.events import TimelineEvent

IAM = "iam.amazonaws.com"


class FootprintKind(StrEnum):
    ACCESS_KEY = "access-key"
    USER = "user"
    LOGIN_PROFILE = "login-profile"
    ATTACHED_POLICY = "attached-policy"
    INLINE_POLICY = "inline-policy"
    ROLE = "role"
    TRUST = "trust"


@dataclass(kw_only=True)
class FootprintItem:
    """One thing the chain made: on `target` (a user, role or group of `target_type`),
    `detail` is the key id, policy ARN, inline policy name or trusted principal."""

    kind: FootprintKind
    account_id: str = ""
    target_type: str = "user"
    target: str
    detail: str = ""
    event_id: str
    time: datetime
    by_key: str = ""
    state: str = ""

    @property
    def label(self) -> str:
        """A line a responder reads: what, on whom."""
        on = f"{self.target_type} {self.target}"
        labels = {
            FootprintKind.ACCESS_KEY: f"access key {self.detail} of {on}",
            FootprintKind.USER: f"user {self.target}",
            FootprintKind.LOGIN_PROFILE: f"console password of {on}",
            FootprintKind.ATTACHED_POLICY: f"{self.detail} attached to {on}",
            FootprintKind.INLINE_POLICY: f"inline policy {self.detail} on {on}",
            FootprintKind.ROLE: f"role {self.target}"
            + (f" trusting {self.detail}" if self.detail else ""),
            FootprintKind.TRUST: f"{self.detail} trusted by role {self.target}",
        }
        return labels[self.kind]


def _item(
    event: TimelineEvent, kind: FootprintKind, target_type: str, target: str, detail: str = ""
) -> FootprintItem:
    return FootprintItem(
        kind=kind,
        account_id=event.recipient_account_id or event.account_id,
        target_type=target_type,
        target=target,
        detail=detail,
        event_id=event.event_id,
        time=event.time,
        by_key=event.access_key_id,
    )


def _target(event: TimelineEvent) -> tuple[str, str]:
    """('user'|'role'|'group', name) a grant was made on."""
    params = event.request_parameters
    for kind in ("user", "role", "group"):
        name = params.get(f"{kind}Name")
        if name:
            return kind, str(name)
    return "user", event.user_name


def _principals(document: object) -> list[str]:
    """The identities (not AWS services) a trust document admits."""
    return [value for kind, value in trusted_principals(document) if kind != "Service"]


def _items(event: TimelineEvent) -> Iterable[FootprintItem]:
    params, name = event.request_parameters, event.event_name
    if name == "CreateAccessKey":
        created = event.response_elements.get("accessKey")
        if isinstance(created, dict) and created.get("accessKeyId"):
            user = str(created.get("userName") or params.get("userName") or event.user_name)
            yield _item(event, FootprintKind.ACCESS_KEY, "user", user, str(created["accessKeyId"]))
    elif name == "CreateUser" and params.get("userName"):
        yield _item(event, FootprintKind.USER, "user", str(params["userName"]))
    elif name in ("CreateLoginProfile", "UpdateLoginProfile"):
        yield _item(
            event,
            FootprintKind.LOGIN_PROFILE,
            "user",
            str(params.get("userName") or event.user_name),
        )
    elif name in ("AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy") and params.get(
        "policyArn"
    ):
        yield _item(event, FootprintKind.ATTACHED_POLICY, *_target(event), str(params["policyArn"]))
    elif name in ("PutUserPolicy", "PutRolePolicy", "PutGroupPolicy") and params.get("policyName"):
        yield _item(event, FootprintKind.INLINE_POLICY, *_target(event), str(params["policyName"]))
    elif name == "CreateRole" and params.get("roleName"):
        trusted = ", ".join(_principals(params.get("assumeRolePolicyDocument")))
        yield _item(event, FootprintKind.ROLE, "role", str(params["roleName"]), trusted)
    elif name == "UpdateAssumeRolePolicy" and params.get("roleName"):
        for principal in _principals(params.get("policyDocument")):
            yield _item(event, FootprintKind.TRUST, "role", str(params["roleName"]), principal)


def footprint(events: Sequence[TimelineEvent]) -> list[FootprintItem]:
    """Every item the successful IAM calls of the events made, first made first, each once."""
    seen: set[tuple[str, ...]] = set()
    items: list[FootprintItem] = []
    for event in events:
        if event.event_source != IAM or event.error_code:
            continue
        for item in _items(event):
            identity = (item.kind, item.account_id, item.target_type, item.target, item.detail)
            if identity not in seen:
                seen.add(identity)
                items.append(item)
    return items
