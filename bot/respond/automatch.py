"""Which alerts are contained without waiting for a human: the auto-containment setting."""

from __future__ import annotations

from collections.abc import Iterable

from bot.models import Alert

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
