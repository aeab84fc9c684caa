"""Sessions a key minted before the cut-off, from CloudTrail, judged against the denies in place.

A session from GetSessionToken or GetFederationToken carries its user's policies, so the
user's deny-all or session revocation stops it; one from AssumeRole is the role's, and
only the role's own denies stop it, whatever was done to the user. Each is read until
the end of its life (36 hours at most), so "can it still be used" is a yes or no.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from bot.analysis.chains import Minted, minted_key
from bot.aws import iam as iam_api
from bot.aws.cloudtrail import lookup_events
from bot.aws.sessions import Sessions, unreachable
from bot.domain.policies import DENY_ALL, REVOKE_SESSIONS
from bot.errors import KeycheckError
from bot.models import KeyReport, MintedSession
from bot.respond.keyreport import GLOBAL_STS_REGION, SESSION_LOOKBACK, role_name

log = logging.getLogger(__name__)

ROLE_CALLS = frozenset({"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})
# What a session lives when CloudTrail does not say: each call's default duration.
DEFAULT_LIFE = {"GetSessionToken": timedelta(hours=12), "GetFederationToken": timedelta(hours=12)}
ROLE_LIFE = timedelta(hours=1)
# How CloudTrail writes a credential's expiration ("Nov 21, 2026, 12:11:58 PM").
EXPIRATION_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p")


@dataclass(frozen=True)
class MintedFound:
    """The sessions found, or why they could not be read (then nothing is claimed)."""

    sessions: list[MintedSession] = field(default_factory=list)
    error: str = ""


class MintedReader(Protocol):
    def before(self, report: KeyReport, now: datetime) -> MintedFound: ...


@dataclass(frozen=True)
class Denies:
    """keycheck's denies on one principal: deny-all, and the revocation's cut-off."""

    deny_all: bool
    revoked_before: datetime | None


def expiry(minted: Minted) -> datetime:
    """When the session ends: CloudTrail's expiration, else the call's default duration."""
    credentials = minted.event.response_elements.get("credentials")
    raw = credentials.get("expiration") if isinstance(credentials, dict) else None
    for form in EXPIRATION_FORMATS:
        try:
            return datetime.strptime(str(raw), form).replace(tzinfo=minted.event.time.tzinfo)
        except ValueError:
            continue
    asked = minted.event.request_parameters.get("durationSeconds")
    if isinstance(asked, int):
        return minted.event.time + timedelta(seconds=asked)
    return minted.event.time + DEFAULT_LIFE.get(minted.event.event_name, ROLE_LIFE)


def revoked_before(document: dict[str, Any] | None) -> datetime | None:
    """The token issue time keycheck's revocation denies sessions before; None without one."""
    if document is None:
        return None
    try:
        raw = document["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def judge(minted: Minted, denies: Denies | None, now: datetime) -> MintedSession:
    """Usable or not, and why; `denies` None means the principal's policies were not read."""
    ends = expiry(minted)
    session = MintedSession(
        access_key_id=minted.key_id,
        via=minted.event.event_name,
        minted_at=minted.event.time,
        expires_at=ends,
        role_arn=minted.role_arn,
    )
    if ends <= now:
        return session.model_copy(update={"usable": False, "why": "expired"})
    owner = "role" if minted.event.event_name in ROLE_CALLS else "user"
    if denies is None:
        return session.model_copy(update={"why": f"the {owner}'s policies could not be read"})
    if denies.deny_all:
        return session.model_copy(update={"usable": False, "why": f"deny-all on the {owner}"})
    if denies.revoked_before and minted.event.time < denies.revoked_before:
        return session.model_copy(update={"usable": False, "why": f"revoked on the {owner}"})
    return session.model_copy(update={"why": f"nothing on the {owner} stops it"})


class SessionsFound:
    """Reads the key's own minting calls where STS records them: the bot's region, us-east-1."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def before(self, report: KeyReport, now: datetime) -> MintedFound:
        try:
            minted = self.minted(
                report.account_id, report.access_key_id, now - SESSION_LOOKBACK, now
            )
            return MintedFound([judge(m, self._denies(report, m), now) for m in minted])
        except (ClientError, BotoCoreError, KeycheckError) as error:
            log.warning("minted sessions of %s not read: %s", report.access_key_id, error)
            return MintedFound(error=_why(error))

    def minted(self, account_id: str, key_id: str, start: datetime, end: datetime) -> list[Minted]:
        """Every key this key minted in [start, end), once each, oldest first."""
        found: dict[str, Minted] = {}
        for region in dict.fromkeys((self.sessions.region, GLOBAL_STS_REGION)):
            client = self.sessions.client("cloudtrail", account_id, region)
            for event in lookup_events(
                client, attribute_key="AccessKeyId", attribute_value=key_id, start=start, end=end
            ):
                made = minted_key(event)
                if made is not None:
                    found.setdefault(made.key_id, made)
        return sorted(found.values(), key=lambda m: m.event.time)

    def _denies(self, report: KeyReport, minted: Minted) -> Denies | None:
        """The denies on whoever the session belongs to; None when they cannot be read."""
        role = role_name(minted.role_arn) if minted.event.event_name in ROLE_CALLS else ""
        account = minted.account_id or report.account_id
        try:
            iam = self.sessions.client("iam", account)
            if role:
                deny = iam_api.get_role_policy(iam, role, DENY_ALL)
                revoke = iam_api.get_role_policy(iam, role, REVOKE_SESSIONS)
            else:
                deny = iam_api.get_user_policy(iam, report.user_name, DENY_ALL)
                revoke = iam_api.get_user_policy(iam, report.user_name, REVOKE_SESSIONS)
        except (ClientError, BotoCoreError, KeycheckError) as error:
            log.warning("denies on %s not read: %s", role or report.user_name, error)
            return None
        return Denies(deny_all=deny is not None, revoked_before=revoked_before(revoke))


def _why(error: Exception) -> str:
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{detail.get('Code', 'error')}: {detail.get('Message', '')}".strip(": ")[:200]
    if isinstance(error, BotoCoreError):
        return unreachable(error)
    return str(error)[:200]
