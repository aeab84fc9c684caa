"""Default severities, in one table a responder can read and argue with."""

from __future__ import annotations

from typing import Final

from bot.models import AlertKind, RuleId, Severity

# Keyed by Alert.rule: our rule ids, AWS Health event type codes.
BY_RULE: Final[dict[str, Severity]] = {
    # Root cannot be restricted by IAM: any use of it is a P1.
    RuleId.ROOT_USAGE: Severity.CRITICAL,
    # AWS itself says the key is out, or already acted on it.
    "AWS_RISK_CREDENTIALS_EXPOSED": Severity.CRITICAL,
    "AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED": Severity.CRITICAL,
    "AWS_RISK_CREDENTIALS_COMPROMISED": Severity.CRITICAL,
    "AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED": Severity.CRITICAL,
    "AWS_RISK_IAM_QUARANTINE": Severity.CRITICAL,
    "AWS_RISK_ACCOUNT_CONSOLE_COMPROMISE": Severity.CRITICAL,
    # An attacker covering tracks, testing a stolen key, or leaving a way back in.
    RuleId.DEFENSE_EVASION_LOGGING: Severity.HIGH,
    RuleId.RECON_CALLER_IDENTITY: Severity.HIGH,
    RuleId.CONSOLE_LOGIN_NO_MFA: Severity.HIGH,
    RuleId.PERSISTENCE_ACCESS_KEY: Severity.HIGH,
    RuleId.PERSISTENCE_LOGIN_PROFILE: Severity.HIGH,
    # Denied calls are often misconfiguration; a burst of them is recon.
    RuleId.ACCESS_DENIED: Severity.MEDIUM,
}

# When no rule above applies.
BY_KIND: Final[dict[AlertKind, Severity]] = {
    AlertKind.CLOUDTRAIL_API_CALL: Severity.MEDIUM,
    AlertKind.CLOUDWATCH_ALARM: Severity.MEDIUM,
    AlertKind.GUARDDUTY: Severity.MEDIUM,
    AlertKind.HEALTH: Severity.LOW,
    AlertKind.CLOUDTRAIL_RECORD: Severity.LOW,
    # Someone must look at what we could not read.
    AlertKind.UNRECOGNISED: Severity.MEDIUM,
}

# An unknown AWS Health risk event is still AWS telling us an account is at risk.
HEALTH_RISK_PREFIX: Final = "AWS_RISK_"
HEALTH_RISK_DEFAULT: Final = Severity.HIGH

# An alarm going back to OK is news, not an emergency.
ALARM_RECOVERED: Final = Severity.LOW

# GuardDuty's own bands: 1.0-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.
GUARDDUTY_BANDS: Final[tuple[tuple[float, Severity], ...]] = (
    (9.0, Severity.CRITICAL),
    (7.0, Severity.HIGH),
    (4.0, Severity.MEDIUM),
    (0.0, Severity.LOW),
)


def for_rule(kind: AlertKind, rule: str = "") -> Severity:
    if rule in BY_RULE:
        return BY_RULE[rule]
    if kind is AlertKind.HEALTH and rule.startswith(HEALTH_RISK_PREFIX):
        return HEALTH_RISK_DEFAULT
    return BY_KIND[kind]


def for_guardduty(score: float | None) -> Severity:
    """GuardDuty's number in its band; a finding without one is treated as medium."""
    if score is None:
        return BY_KIND[AlertKind.GUARDDUTY]
    return next(severity for floor, severity in GUARDDUTY_BANDS if score >= floor or floor == 0)
