"""Auto-containment: alert types the settings list are contained at once, with Undo buttons."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.domain.keys import key_kind, parse_key_id
from bot.errors import KeycheckError
from bot.models import ActionKind, ActionOutcome, Alert, KeyKind, OutcomeStatus
from bot.respond.responder import Responder

log = logging.getLogger(__name__)

AUTO_ACTOR = "keycheck"
# Types an alert may carry, besides `rule`, depending on the envelope it came in.
TYPE_DETAILS = ("type", "finding_type", "event_type_code")


def auto_contain_entry(alert: Alert, entries: Iterable[str]) -> str:
    """The first setting entry this alert matches, or "".

    An entry is `<alert kind>:<type>`, e.g. `health:AWS_RISK_CREDENTIALS_EXPOSED` or
    `guardduty:UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS`. It
    matches when the kind equals `alert.kind` and the type equals the alert's type
    (`alert.rule`, else `details["type"]`, `["finding_type"]` or `["event_type_code"]`),
    case-insensitively; a type without a `/` also matches the part after a GuardDuty
    type's `/` (`guardduty:InstanceCredentialExfiltration.OutsideAWS`).
    """
    types = [alert.rule, *(alert.details.get(name, "") for name in TYPE_DETAILS)]
    known = [t.lower() for t in types if t]
    for entry in entries:
        kind, _, wanted = entry.strip().partition(":")
        wanted = wanted.strip().lower()
        if kind.strip().lower() != alert.kind.value or not wanted:
            continue
        if any(
            t == wanted or ("/" not in wanted and t.rsplit("/", 1)[-1] == wanted) for t in known
        ):
            return entry.strip()
    return ""


def auto_actions(key_id: str) -> tuple[ActionKind, ...]:
    """A long-term key is deactivated and its user denied everything. A temporary key
    has its role's earlier sessions revoked: deny-all on a role would also stop every
    workload that uses it, which is a call for a human.
    """
    if key_kind(key_id) is KeyKind.LONG_TERM:
        return (ActionKind.DEACTIVATE_KEY, ActionKind.ATTACH_DENY_ALL)
    return (ActionKind.REVOKE_SESSIONS,)


class AutoContainer:
    """Ingest's `contain`: contain at once when the settings list this alert's type.

    Ingest calls it for every alert it stores, before Slack is told anything, so neither
    an earlier alert for the key nor a Slack outage delays it; the outcomes are posted in
    the incident's thread when it is delivered.
    """

    def __init__(self, responder: Responder, entries: list[str]) -> None:
        self.responder = responder
        self.entries = entries

    def contain(self, alert: Alert, incident_id: str) -> list[ActionOutcome]:
        """The actions for a listed alert type, each done once; [] when it is not listed."""
        entry = auto_contain_entry(alert, self.entries)
        if not entry:
            return []
        try:
            key_id = parse_key_id(alert.access_key_id)
        except KeycheckError:
            return []
        reason = f"auto-containment: the alert matched `{entry}`"
        return [
            self._one(action, key_id, alert.account_id, reason, incident_id)
            for action in auto_actions(key_id)
        ]

    def _one(
        self, action: ActionKind, key_id: str, account_id: str, reason: str, incident_id: str
    ) -> ActionOutcome:
        try:
            return self.responder.request(
                action,
                key_id,
                account_id,
                actor=AUTO_ACTOR,
                reason=reason,
                incident_id=incident_id,
                source="auto",
            )
        except KeycheckError as error:
            log.warning("auto-containment of %s failed: %s", key_id, error)
            return ActionOutcome(status=OutcomeStatus.FAILED, message=str(error))
