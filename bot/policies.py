"""The policy documents containment writes, and the names that flag a key's state on the card."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

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


def deny_all() -> dict[str, Any]:
    """Deny everything: an explicit Deny beats every Allow, managed or inline."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "KeycheckDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}],
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
                "Sid": "KeycheckRevokeOlderSessions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": iso_z(now)}},
            }
        ],
    }


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
