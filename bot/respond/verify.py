"""Does containment hold: every way the key's principal could still act, read from AWS.

A key read back as Inactive says nothing about the user's other key, its console
password, the sessions already minted, or a group policy that allows everything. This
reads each of them after the actions, and names every one still open with the action
that closes it.

The user's other keys and its console password are judged by what they can do: with
keycheck's deny-all on the user, a second key still authenticates and the password still
signs in, but every call and every console action is denied, so each is a note beside
the verdict (with its own button), not an open way in. Without deny-all each is open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.iam import list_access_keys
from bot.aws.policies import has_login_profile
from bot.aws.sessions import Sessions, unreachable
from bot.domain.keys import key_kind
from bot.models import (
    ActionKind,
    BlastRadius,
    KeyKind,
    KeyReport,
    MintedSession,
    OpenItem,
    Verification,
    utcnow,
)
from bot.respond.blast_radius import BlastRadii
from bot.respond.minted import MintedReader, SessionsFound
from bot.slack.format import utc_datetime

ROLE_VIA = frozenset({"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})


def open_items(
    report: KeyReport,
    keys: dict[str, str],
    login_profile: bool | None,
    blast: BlastRadius,
    sessions: Iterable[MintedSession] = (),
) -> list[OpenItem]:
    """What is still open, most direct first; pure, so each rule is tested without AWS."""
    items: list[OpenItem] = []
    key = report.access_key_id
    if key_kind(key) is KeyKind.LONG_TERM and keys.get(key, report.status) != "Inactive":
        items.append(
            OpenItem(what=f"this key {key} is active", action=ActionKind.DEACTIVATE_KEY, key_id=key)
        )
    for other in other_active(report, keys):
        if not report.deny_all_attached:
            what = f"the user's other key {other}, active"
            items.append(OpenItem(what=what, action=ActionKind.DEACTIVATE_KEY, key_id=other))
    if login_profile and not report.deny_all_attached:
        what = "console password set: it signs in with everything the policies allow"
        items.append(OpenItem(what=what, action=ActionKind.DISABLE_CONSOLE_LOGIN, key_id=key))
    if not report.revoke_attached:
        what = "sessions issued before now are still valid"
        items.append(OpenItem(what=what, action=ActionKind.REVOKE_SESSIONS, key_id=key))
    items += [session_item(s, key) for s in sessions if s.usable]
    if blast.error:
        items.append(OpenItem(what=f"what its policies allow could not be read: {blast.error}"))
    elif blast.risky and not report.deny_all_attached:
        what = "its policies still allow " + _risks(blast)
        items.append(OpenItem(what=what, action=ActionKind.ATTACH_DENY_ALL, key_id=key))
    return items


def other_active(report: KeyReport, keys: dict[str, str]) -> list[str]:
    return [
        k for k, status in sorted(keys.items()) if k != report.access_key_id and status == "Active"
    ]


def notes(report: KeyReport, keys: dict[str, str], login_profile: bool | None) -> list[OpenItem]:
    """What is left but cannot act now: told beside the verdict, each with what removes it.

    keycheck's deny-all is on the user, so it denies every request any of the user's keys
    signs and every action in a console session; removing it would open these again.
    """
    if not report.deny_all_attached:
        return []
    found = [
        OpenItem(
            what=f"the user's other key {other} is active, but deny-all denies its every call",
            action=ActionKind.DEACTIVATE_KEY,
            key_id=other,
        )
        for other in other_active(report, keys)
    ]
    if login_profile:
        what = "console password still set: it signs in, but deny-all denies every action"
        key = report.access_key_id
        found.append(OpenItem(what=what, action=ActionKind.DISABLE_CONSOLE_LOGIN, key_id=key))
    return found


def session_item(session: MintedSession, key: str) -> OpenItem:
    """A minted session still usable: a role's is revoked on the role, a user's on the user."""
    until = f" until {utc_datetime(session.expires_at)}" if session.expires_at else ""
    what = (
        f"session {session.access_key_id} minted by {session.via} at "
        f"{utc_datetime(session.minted_at)}, usable{until}"
    )
    role = session.via in ROLE_VIA
    target = session.access_key_id if role else key
    return OpenItem(what=what, action=ActionKind.REVOKE_SESSIONS, key_id=target)


def _risks(blast: BlastRadius) -> str:
    risks = [
        ("everything (admin-equivalent)", blast.admin_equivalent),
        ("privilege escalation", bool(blast.privilege_escalation)),
        ("data exfiltration", bool(blast.data_exfiltration)),
        ("resource exposure", bool(blast.resource_exposure)),
        ("credentials exposure", bool(blast.credentials_exposure)),
    ]
    return ", ".join(label for label, present in risks if present)


class ContainmentCheck:
    """Verify for the Verify button, after every containment, and `keycheck verify`."""

    def __init__(
        self,
        sessions: Sessions,
        key_report: Callable[[str], KeyReport],
        blast: BlastRadii,
        minted: MintedReader | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.key_report = key_report
        self.blast = blast
        self.minted = minted or SessionsFound(sessions)
        self.clock = clock

    def verify(self, key_id: str) -> Verification:
        """Read the key, its principal's other ways in and its policies now; never cached."""
        report = self.key_report(key_id)
        if report.error:
            return Verification(access_key_id=key_id, error=report.error)
        self.blast.forget(report)
        blast = self.blast.compute(report)
        try:
            keys, login = self._ways_in(report)
        except (ClientError, BotoCoreError) as error:
            reason = unreachable(error) if isinstance(error, BotoCoreError) else str(error)
            return Verification(access_key_id=key_id, account_id=report.account_id, error=reason)
        found = self.minted.before(report, self.clock())
        return Verification(
            access_key_id=key_id,
            account_id=report.account_id,
            principal=blast.principal,
            keys=keys,
            login_profile=login,
            deny_all=report.deny_all_attached,
            revoked=report.revoke_attached,
            blast=blast,
            open_items=open_items(report, keys, login, blast, found.sessions),
            sessions=found.sessions,
            sessions_error=found.error,
            notes=notes(report, keys, login),
        )

    def _ways_in(self, report: KeyReport) -> tuple[dict[str, str], bool | None]:
        """A user's keys and console password; a role has neither (its sessions are revoked)."""
        if key_kind(report.access_key_id) is KeyKind.TEMPORARY or not report.user_name:
            return {}, None
        iam = self.sessions.client("iam", report.account_id)
        keys = {k.key_id: k.status for k in list_access_keys(iam, report.user_name)}
        return keys, has_login_profile(iam, report.user_name)
