"""What each rule id means: its ATT&CK technique, severity, phase and one-line title."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from bot.events import RuleId, Severity


class Phase(IntEnum):
    """The order a responder reads an intrusion in; findings are grouped and sorted by it."""

    RECON = 0
    PERSISTENCE = 1
    PRIVILEGE_ESCALATION = 2
    DEFENSE_EVASION = 3
    IMPACT = 4
    CREDENTIAL_ACCESS = 5
    EXECUTION = 6
    LATERAL_MOVEMENT = 7
    COLLECTION = 8
    EXFILTRATION = 9
    ACCESS = 10
    ERRORS = 11

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class RuleInfo:
    """A rule's fixed facts; `tactics` are the ATT&CK tactics it can stand for."""

    technique: str
    severity: Severity
    phase: Phase
    title: str
    tactics: frozenset[str]


def _info(technique: str, severity: Severity, phase: Phase, title: str, *tactics: str) -> RuleInfo:
    return RuleInfo(technique, severity, phase, title, frozenset(tactics))


RULES: dict[RuleId, RuleInfo] = {
    RuleId.RECON_CALLER_IDENTITY: _info(
        "T1087.004", Severity.MEDIUM, Phase.RECON, "Key tested: GetCallerIdentity", "Discovery"
    ),
    RuleId.RECON_ENUMERATION: _info(
        "T1087.004", Severity.MEDIUM, Phase.RECON, "Account enumeration burst", "Discovery"
    ),
    RuleId.ACCESS_DENIED: _info(
        "T1078.004", Severity.LOW, Phase.ERRORS, "Calls denied", "Discovery", "Initial Access"
    ),
    RuleId.CREDENTIAL_ACCESS_SECRETS: _info(
        "T1555.006",
        Severity.HIGH,
        Phase.CREDENTIAL_ACCESS,
        "Secrets read",
        "Credential Access",
    ),
    RuleId.EXECUTION_REMOTE_COMMAND: _info(
        "T1651",
        Severity.HIGH,
        Phase.EXECUTION,
        "Commands or code run on resources",
        "Execution",
        "Lateral Movement",
    ),
    RuleId.PERSISTENCE_ACCESS_KEY: _info(
        "T1098.001",
        Severity.HIGH,
        Phase.PERSISTENCE,
        "New credentials issued",
        "Persistence",
        "Privilege Escalation",
    ),
    RuleId.PERSISTENCE_USER: _info(
        "T1136.003", Severity.HIGH, Phase.PERSISTENCE, "Users created", "Persistence"
    ),
    RuleId.PERSISTENCE_LOGIN_PROFILE: _info(
        "T1098",
        Severity.HIGH,
        Phase.PERSISTENCE,
        "Console passwords set",
        "Persistence",
        "Privilege Escalation",
    ),
    RuleId.PERSISTENCE_ROLE_TRUST: _info(
        "T1098",
        Severity.HIGH,
        Phase.PERSISTENCE,
        "Role trust or identity providers changed",
        "Persistence",
        "Privilege Escalation",
    ),
    RuleId.PRIVESC_POLICY: _info(
        "T1098.003",
        Severity.CRITICAL,
        Phase.PRIVILEGE_ESCALATION,
        "Permissions granted or guardrails removed",
        "Privilege Escalation",
        "Persistence",
    ),
    RuleId.LATERAL_ASSUME_ROLE: _info(
        "T1550.001",
        Severity.MEDIUM,
        Phase.LATERAL_MOVEMENT,
        "Temporary credentials minted",
        "Lateral Movement",
        "Privilege Escalation",
        "Persistence",
        "Initial Access",
    ),
    RuleId.DEFENSE_EVASION_LOGGING: _info(
        "T1562.008",
        Severity.CRITICAL,
        Phase.DEFENSE_EVASION,
        "Logging, detection or MFA turned off",
        "Defense Evasion",
    ),
    RuleId.EXFIL_SHARING: _info(
        "T1537",
        Severity.CRITICAL,
        Phase.EXFILTRATION,
        "Data shared or opened outside the account",
        "Exfiltration",
        "Collection",
    ),
    RuleId.IMPACT_COMPUTE: _info(
        "T1496",
        Severity.HIGH,
        Phase.IMPACT,
        "Resources hijacked (compute, models, email)",
        "Impact",
    ),
    RuleId.IMPACT_DESTRUCTION: _info(
        "T1485",
        Severity.CRITICAL,
        Phase.IMPACT,
        "Data, resources or identities destroyed",
        "Impact",
        "Defense Evasion",
    ),
    RuleId.REGION_UNAPPROVED: _info(
        "T1535", Severity.MEDIUM, Phase.ACCESS, "Activity in unapproved regions", "Defense Evasion"
    ),
    RuleId.NETWORK_UNKNOWN: _info(
        "T1078.004", Severity.LOW, Phase.ACCESS, "Calls from unknown networks", "Initial Access"
    ),
    RuleId.TRAVEL_IMPOSSIBLE: _info(
        "T1078.004", Severity.HIGH, Phase.ACCESS, "Impossible travel", "Initial Access"
    ),
    RuleId.ROOT_USAGE: _info(
        "T1078.004", Severity.CRITICAL, Phase.ACCESS, "Root user used", "Initial Access"
    ),
    RuleId.CONSOLE_LOGIN_NO_MFA: _info(
        "T1078.004", Severity.HIGH, Phase.ACCESS, "Console login without MFA", "Initial Access"
    ),
    RuleId.CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS: _info(
        "T1552.005",
        Severity.HIGH,
        Phase.CREDENTIAL_ACCESS,
        "Instance credentials used from outside AWS",
        "Credential Access",
    ),
    RuleId.COLLECTION_S3: _info(
        "T1530",
        Severity.MEDIUM,
        Phase.COLLECTION,
        "Burst of object reads or listings",
        "Collection",
    ),
}


def technique(rule: RuleId) -> str:
    return RULES[rule].technique
