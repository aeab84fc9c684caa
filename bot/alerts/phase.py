"""Which phase of an intrusion an alert stands for, whatever detector raised it."""

from __future__ import annotations

from bot.analysis.catalog import RULES, Phase
from bot.models import Alert, AlertKind

# GuardDuty finding types start with their threat purpose (`Persistence:IAMUser/...`).
GUARDDUTY_PURPOSE = {
    "Recon": Phase.RECON,
    "Discovery": Phase.RECON,
    "Persistence": Phase.PERSISTENCE,
    "PrivilegeEscalation": Phase.PRIVILEGE_ESCALATION,
    "DefenseEvasion": Phase.DEFENSE_EVASION,
    "Stealth": Phase.DEFENSE_EVASION,
    "Impact": Phase.IMPACT,
    "CryptoCurrency": Phase.IMPACT,
    "CredentialAccess": Phase.CREDENTIAL_ACCESS,
    "Execution": Phase.EXECUTION,
    "Exfiltration": Phase.EXFILTRATION,
    "InitialAccess": Phase.ACCESS,
    "UnauthorizedAccess": Phase.ACCESS,
    "Policy": Phase.ACCESS,
    "PenTest": Phase.RECON,
}
RULE_PHASE: dict[str, Phase] = {str(rule): info.phase for rule, info in RULES.items()}


def phase_of(alert: Alert) -> Phase:
    """Our rules carry their phase; GuardDuty names its purpose; anything else is access
    (a key used, an exposure reported): the phase every leak starts with."""
    ours = RULE_PHASE.get(alert.rule)
    if ours is not None:
        return ours
    if alert.kind is AlertKind.GUARDDUTY:
        return GUARDDUTY_PURPOSE.get(alert.rule.split(":", 1)[0], Phase.ACCESS)
    return Phase.ACCESS
