"""The policy documents containment writes, and the names that flag a key's state on the card."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.models import ActionKind, ContainmentStep

DENY_ALL = "keycheck-deny-all"
REVOKE_SESSIONS = "keycheck-revoke-sessions"
ADMIN = "AdministratorAccess"
# AWS attaches these to a user whose key it found exposed in public.
QUARANTINE = frozenset(
    {
        "AWSCompromisedKeyQuarantine",
        "AWSCompromisedKeyQuarantineV2",
        "AWSCompromisedKeyQuarantineV3",
    }
)


DENY_ALL_SID = "KeycheckDenyAll"
REVOKE_SID = "KeycheckRevokeOlderSessions"


def deny_all() -> dict[str, Any]:
    """Deny everything: an explicit Deny beats every Allow, managed or inline."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": DENY_ALL_SID, "Effect": "Deny", "Action": "*", "Resource": "*"}],
    }


def revoke_sessions(now: datetime) -> dict[str, Any]:
    """Deny every request signed with a session token issued before `now`.

    On a role this is the console's "revoke active sessions"; on a user it kills the
    sessions that user's keys minted (GetSessionToken, GetFederationToken). New sessions,
    issued after `now`, are not affected.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": REVOKE_SID,
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": iso_z(now)}},
            }
        ],
    }


def written_by_keycheck(document: dict[str, Any] | None) -> bool:
    """A document only keycheck writes: every statement carries one of its statement ids."""
    statements = (document or {}).get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return False
    return all(
        isinstance(s, dict) and s.get("Sid") in {DENY_ALL_SID, REVOKE_SID} for s in statements
    )


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC to the second with a Z, the form IAM's date conditions expect."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def policy_json(document: dict[str, Any]) -> str:
    """The exact text sent to IAM: compact, keys in a stable order."""
    return json.dumps(document, separators=(",", ":"))


def policy_text(document: dict[str, Any] | None) -> str:
    """The document for people (confirmation modal, --dry-run): indented."""
    return "(none)" if document is None else json.dumps(document, indent=2)


def revoke_cutoff(step: ContainmentStep) -> str:
    """The token issue time a revoke step cuts at, for messages; empty for other steps."""
    if step.action is not ActionKind.REVOKE_SESSIONS or step.policy_document is None:
        return ""
    try:
        condition = step.policy_document["Statement"][0]["Condition"]["DateLessThan"]
        return str(condition["aws:TokenIssueTime"])
    except (KeyError, IndexError, TypeError):
        return ""
