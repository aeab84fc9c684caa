"""The domain as pydantic models: what every part of keycheck passes to every other."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    """The one clock default, so records never mix naive and aware times."""
    return datetime.now(UTC)


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


class AlertKind(StrEnum):
    CLOUDTRAIL_API_CALL = "cloudtrail-api-call"
    CLOUDWATCH_ALARM = "cloudwatch-alarm"
    GUARDDUTY = "guardduty"
    HEALTH = "health"
    CLOUDTRAIL_RECORD = "cloudtrail-record"
    UNRECOGNISED = "unrecognised"


class TimelineEvent(BaseModel):
    """One CloudTrail event, flattened to what analysis and the card need."""

    model_config = ConfigDict(frozen=False)

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
    request_parameters: dict[str, Any] = Field(default_factory=dict)
    response_elements: dict[str, Any] = Field(default_factory=dict)
    additional_event_data: dict[str, Any] = Field(default_factory=dict)
    tags: list[RuleId] = Field(default_factory=list)
    chain: list[str] = Field(default_factory=list)


class Alert(BaseModel):
    """One detection, whatever envelope it came in, normalised for the card."""

    dedup_key: str
    kind: AlertKind
    title: str
    received_at: datetime = Field(default_factory=utcnow)
    occurred_at: datetime | None = None
    severity: Severity = Severity.MEDIUM
    account_id: str = ""
    region: str = ""
    rule: str = ""
    event_source: str = ""
    event_name: str = ""
    error_code: str = ""
    access_key_id: str = ""
    principal_arn: str = ""
    principal_type: str = ""
    user_name: str = ""
    source_ip: str = ""
    user_agent: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    events: list[TimelineEvent] = Field(default_factory=list)
    raw: str = ""

    @property
    def subject(self) -> str:
        """What the alert is about, for grouping: the key, else the principal, else its kind
        and rule (an alarm, a Health event type, an unrecognised shape by its title), so
        unrelated key-less alerts never share, and hide in, one incident per account."""
        named = self.access_key_id or self.principal_arn or self.user_name
        return named or f"{self.kind.value}:{self.rule or self.title}"


class IncidentStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    FALSE_POSITIVE = "false-positive"
    CLOSED = "closed"


class Incident(BaseModel):
    """Every alert about one (account, key or principal), in one Slack thread."""

    id: str
    account_id: str
    subject: str
    title: str
    severity: Severity
    status: IncidentStatus = IncidentStatus.OPEN
    access_key_id: str = ""
    user_name: str = ""
    alert_count: int = 0
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    channel: str = ""
    thread_ts: str = ""
    incident_channel: str = ""
    case_id: str = ""
    snoozed_until: datetime | None = None


class KeyReport(BaseModel):
    """What AWS says about one access key now: owner, state, and the policies around it."""

    access_key_id: str
    kind: KeyKind
    account_id: str = ""
    user_name: str = ""
    role_arn: str = ""
    session_name: str = ""
    status: str = ""
    created: datetime | None = None
    last_used_at: datetime | None = None
    last_used_service: str = ""
    last_used_region: str = ""
    attached_policies: list[str] = Field(default_factory=list)
    inline_policies: list[str] = Field(default_factory=list)
    other_keys: list[str] = Field(default_factory=list)
    quarantine_attached: bool = False
    deny_all_attached: bool = False
    revoke_attached: bool = False
    admin_attached: bool = False
    error: str = ""


class Finding(BaseModel):
    """A rule that fired over a timeline, with the events that made it fire."""

    rule: RuleId
    technique: str
    severity: Severity
    event_ids: list[str]
    summary: str


class ActionKind(StrEnum):
    DEACTIVATE_KEY = "deactivate-key"
    REACTIVATE_KEY = "reactivate-key"
    ATTACH_DENY_ALL = "attach-deny-all"
    REMOVE_DENY_ALL = "remove-deny-all"
    REVOKE_SESSIONS = "revoke-sessions"
    REMOVE_REVOKE = "remove-revoke-sessions"
    CONTAIN_ALL = "contain-all"
    TIMELINE = "timeline"
    OPEN_CASE = "open-case"
    DECLARE_INCIDENT = "declare-incident"
    ACKNOWLEDGE = "acknowledge"
    FALSE_POSITIVE = "false-positive"
    REOPEN = "reopen"
    OWNER_ASKED = "owner-asked"
    OWNER_CONFIRMED = "owner-confirmed"
    OWNER_DENIED = "owner-denied"


class ActionState(StrEnum):
    REQUESTED = "requested"
    AWAITING_APPROVAL = "awaiting-approval"
    DONE = "done"
    FAILED = "failed"
    UNDONE = "undone"


class ActionRecord(BaseModel):
    """The audit line for one action: written before the AWS call, updated after it."""

    id: str
    idempotency_key: str
    action: ActionKind
    actor: str
    incident_id: str = ""
    target: str = ""
    account_id: str = ""
    reason: str = ""
    state: ActionState = ActionState.REQUESTED
    requested_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    approved_by: str = ""
    aws_request_id: str = ""
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    error: str = ""
    undo_of: str = ""
    parent_id: str = ""
    source: str = ""
    # Who runs it while it is `requested` (host:pid:token), so a restart can tell a dead
    # runner's record from one a live process is running right now.
    runner: str = ""
    # The Slack view (modal) it was confirmed in: a replayed submission finds this record.
    request_id: str = ""


class BlastRadius(BaseModel):
    """What the principal behind a key may do, from the policies in force for it.

    Each list holds the allowed actions (or, for privilege escalation, the named paths)
    in that risk class, as Salesforce's cloudsplaining classifies them.
    """

    principal: str
    admin_equivalent: bool = False
    privilege_escalation: list[str] = Field(default_factory=list)
    data_exfiltration: list[str] = Field(default_factory=list)
    resource_exposure: list[str] = Field(default_factory=list)
    credentials_exposure: list[str] = Field(default_factory=list)
    infrastructure_modification: list[str] = Field(default_factory=list)
    policies: list[str] = Field(default_factory=list)
    error: str = ""

    @property
    def risky(self) -> bool:
        return self.admin_equivalent or bool(
            self.privilege_escalation
            or self.data_exfiltration
            or self.resource_exposure
            or self.credentials_exposure
        )


class OpenItem(BaseModel):
    """One way the principal can still act after containment, and the action that closes it."""

    what: str
    action: ActionKind | None = None
    key_id: str = ""


class Verification(BaseModel):
    """Does containment hold: every way in, read from AWS after the actions."""

    access_key_id: str
    account_id: str = ""
    principal: str = ""
    keys: dict[str, str] = Field(default_factory=dict)
    login_profile: bool | None = None
    deny_all: bool = False
    revoked: bool = False
    blast: BlastRadius | None = None
    open_items: list[OpenItem] = Field(default_factory=list)
    error: str = ""

    @property
    def holds(self) -> bool:
        return not self.error and not self.open_items


class OwnerLookup(BaseModel):
    """Who owns a key, from its IAM user's owner tag: the Slack user asked, or why nobody was."""

    slack_user: str = ""
    problem: str = ""


class AlertContext(BaseModel):
    """What keycheck learned around an alert before posting it: the judgements on the card."""

    key: KeyReport | None = None
    ip_known: bool | None = None
    region_approved: bool | None = None
    ip_location: str = ""
    notes: list[str] = Field(default_factory=list)
    blast: BlastRadius | None = None
    owner: OwnerLookup | None = None


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"


class ContainmentStep(BaseModel):
    """One change containment will make, exactly as the confirmation shows it and IAM gets it."""

    action: ActionKind
    account_id: str
    key_id: str
    principal_kind: PrincipalKind
    principal_name: str
    key_status: str = ""
    policy_name: str = ""
    policy_document: dict[str, Any] | None = None
    summary: str = ""

    @property
    def principal(self) -> str:
        return f"{self.principal_kind}/{self.principal_name}"


class OutcomeStatus(StrEnum):
    DONE = "done"
    FAILED = "failed"
    ALREADY = "already"
    IN_DOUBT = "in-doubt"
    AWAITING_APPROVAL = "awaiting-approval"


class ActionOutcome(BaseModel):
    """What asking for an action came to: its record, its steps, and one sentence for people."""

    status: OutcomeStatus
    message: str
    record: ActionRecord | None = None
    steps: list[ActionRecord] = Field(default_factory=list)
    plan: list[ContainmentStep] = Field(default_factory=list)
    # The key as the steps left it (read back from IAM), for the card: no second lookup.
    report: KeyReport | None = None


class CaseStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    NO_SUPPORT_PLAN = "no-support-plan"
    FAILED = "failed"


class CaseOutcome(BaseModel):
    """An AWS Support case opened or updated, or the prefilled text when that was not possible."""

    status: CaseStatus
    message: str
    subject: str
    body: str
    case_id: str = ""
    severity: str = ""
    request_id: str = ""
