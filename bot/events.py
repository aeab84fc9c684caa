"""The timeline's plain types: events, findings, rule ids, severities, key kinds; no pydantic.

`keycheck analyze` runs on these alone, so that an offline analysis starts without
importing pydantic (a fifth of a second of start-up). `bot.models` re-exports them, and
its pydantic models embed them as fields: pydantic validates and serialises dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utcnow() -> datetime:
    """The one clock default, so records never mix naive and aware times."""
    return datetime.now(UTC)


def in_utc(moment: datetime) -> datetime:
    """The moment in UTC, which every time is shown in: a log shipper's '+02:00' kept as
    given was printed two hours wrong, with UTC's Z after it. A naive time is taken as UTC,
    as our models store it."""
    if moment.tzinfo is UTC:
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class KeyKind(StrEnum):
    LONG_TERM = "long-term"
    TEMPORARY = "temporary"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class RuleId(StrEnum):
    """Finding rule ids: a stable contract that users and tests filter on."""

    RECON_CALLER_IDENTITY = "recon.caller_identity"
    RECON_ENUMERATION = "recon.enumeration"
    ACCESS_DENIED = "access_denied"
    CREDENTIAL_ACCESS_SECRETS = "credential_access.secrets"
    EXECUTION_REMOTE_COMMAND = "execution.remote_command"
    PERSISTENCE_ACCESS_KEY = "persistence.access_key"
    PERSISTENCE_USER = "persistence.user"
    PERSISTENCE_LOGIN_PROFILE = "persistence.login_profile"
    PERSISTENCE_ROLE_TRUST = "persistence.role_trust"
    PRIVESC_POLICY = "privesc.policy"
    LATERAL_ASSUME_ROLE = "lateral.assume_role"
    DEFENSE_EVASION_LOGGING = "defense_evasion.logging"
    EXFIL_SHARING = "exfil.sharing"
    IMPACT_COMPUTE = "impact.compute"
    IMPACT_DESTRUCTION = "impact.destruction"
    REGION_UNAPPROVED = "region.unapproved"
    NETWORK_UNKNOWN = "network.unknown"
    TRAVEL_IMPOSSIBLE = "travel.impossible"
    ROOT_USAGE = "root.usage"
    CONSOLE_LOGIN_NO_MFA = "console.login_no_mfa"
    CREDENTIAL_ACCESS_INSTANCE_OUTSIDE_AWS = "credential_access.instance_outside_aws"
    COLLECTION_S3 = "collection.s3"


@dataclass(slots=True, kw_only=True)
class TimelineEvent:
    """One CloudTrail event, flattened to what analysis and the card need."""

    event_id: str
    time: datetime
    region: str = ""
    event_source: str = ""
    event_name: str = ""
    event_type: str = ""
    access_key_id: str = ""
    source_ip: str = ""
    user_agent: str = ""
    error_code: str = ""
    error_message: str = ""
    account_id: str = ""
    recipient_account_id: str = ""
    principal_arn: str = ""
    principal_type: str = ""
    user_name: str = ""
    invoked_by: str = ""
    mfa_authenticated: bool | None = None
    read_only: bool | None = None
    request_parameters: dict[str, Any] = field(default_factory=dict)
    response_elements: dict[str, Any] = field(default_factory=dict)
    additional_event_data: dict[str, Any] = field(default_factory=dict)
    tags: list[RuleId] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Finding:
    """A rule that fired over a timeline, with the events that made it fire."""

    rule: RuleId
    technique: str
    severity: Severity
    event_ids: list[str]
    summary: str
