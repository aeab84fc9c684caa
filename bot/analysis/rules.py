"""The rule table: which API calls mean what, keyed on (eventSource, eventName).

The community catalogue (TrailDiscover, ../shared/data/traildiscover/events.json) is held
against this table in tests. Where we tag a call differently from it, or not at all, the
entry says why (`note`, `UNTAGGED`, `DISCOVERY_NOT_COUNTED`): a test fails on any
disagreement without a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.analysis.exposure import (
    acl_public,
    adds_permission,
    adds_restore_access,
    request_policy_opens,
    trust_admits_principals,
)
from bot.events import RuleId, TimelineEvent

Condition = Callable[[TimelineEvent], bool]
KEYCHECK_POLICIES = "keycheck-"


@dataclass(frozen=True)
class ApiRule:
    """One tagged call; `when` narrows it to the risky form, `note` explains a disagreement."""

    rule: RuleId
    note: str = ""
    when: Condition | None = None


def _param(name: str, *values: str) -> Condition:
    def check(event: TimelineEvent) -> bool:
        value = event.request_parameters.get(name)
        return value is not None and (not values or str(value) in values)

    return check


_WHOLE_INTERNET = re.compile(r"/0\b")


def _opens_to_internet(event: TimelineEvent) -> bool:
    return bool(_WHOLE_INTERNET.search(json.dumps(event.request_parameters)))


def _suspends_versioning(event: TimelineEvent) -> bool:
    return "Suspended" in json.dumps(event.request_parameters)


def _decrypts(event: TimelineEvent) -> bool:
    return str(event.request_parameters.get("withDecryption", "")).lower() == "true"


def _logging_off(event: TimelineEvent) -> bool:
    status = event.request_parameters.get("BucketLoggingStatus")
    return isinstance(status, dict) and "LoggingEnabled" not in status


def _narrows_selectors(event: TimelineEvent) -> bool:
    """Selectors that drop management events, keep only reads or only writes, or leave out
    some services; selectors that restore full management logging are not evasion."""
    params = event.request_parameters
    basic = params.get("eventSelectors")
    if isinstance(basic, list):
        return not basic or any(isinstance(s, dict) and _narrow_basic(s) for s in basic)
    advanced = params.get("advancedEventSelectors")
    if not isinstance(advanced, list):
        return False
    management = [s for s in advanced if isinstance(s, dict) and _selects_management(s)]
    return not management or all(_filters_management(s) for s in management)


def _narrow_basic(selector: dict[str, object]) -> bool:
    return (
        selector.get("includeManagementEvents") is False
        or selector.get("readWriteType", "All") != "All"
        or bool(selector.get("excludeManagementEventSources"))
    )


def _field_selectors(selector: dict[str, object]) -> list[dict[str, object]]:
    fields = selector.get("fieldSelectors")
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def _selects_management(selector: dict[str, object]) -> bool:
    return any(
        f.get("field") == "eventCategory" and "Management" in json.dumps(f.get("equals"))
        for f in _field_selectors(selector)
    )


def _filters_management(selector: dict[str, object]) -> bool:
    """A management selector that also filters on anything (readOnly, eventSource) narrows."""
    return any(f.get("field") != "eventCategory" for f in _field_selectors(selector))


def _removes_keychecks_policy(event: TimelineEvent) -> bool:
    """Deleting keycheck's own deny: the containment undone, which is escalation.

    keycheck names every policy it writes with this prefix (bot.domain.policies).
    """
    return str(event.request_parameters.get("policyName", "")).startswith(KEYCHECK_POLICIES)


API_RULES: dict[tuple[str, str], ApiRule] = {}


def _add(
    service: str,
    names: Iterable[str],
    rule: RuleId,
    note: str = "",
    when: Condition | None = None,
) -> None:
    for name in names:
        API_RULES[(f"{service}.amazonaws.com", name)] = ApiRule(rule, note, when)


R = RuleId
NOT_LISTED = "not in the catalogue; "

# --- credential access -------------------------------------------------------------------
_add("secretsmanager", ["GetSecretValue"], R.CREDENTIAL_ACCESS_SECRETS)
_add(
    "secretsmanager",
    ["BatchGetSecretValue"],
    R.CREDENTIAL_ACCESS_SECRETS,
    NOT_LISTED + "the batch form of GetSecretValue (Stratus batch-retrieve-secrets).",
)
_add(
    "ssm",
    ["GetParameters"],
    R.CREDENTIAL_ACCESS_SECRETS,
    "tagged only with withDecryption: SecureString values are the secrets.",
    _decrypts,
)
_add(
    "ssm",
    ["GetParameter", "GetParametersByPath"],
    R.CREDENTIAL_ACCESS_SECRETS,
    NOT_LISTED + "the single and by-path forms of GetParameters (with decryption).",
    _decrypts,
)
_add("ec2", ["GetPasswordData"], R.CREDENTIAL_ACCESS_SECRETS)
_add(
    "ec2",
    ["DescribeInstanceAttribute"],
    R.CREDENTIAL_ACCESS_SECRETS,
    "catalogue: discovery. Reading an instance's userData is how scripts' embedded "
    "credentials leak (Stratus ec2-download-user-data); only that attribute is tagged.",
    _param("attribute", "userData"),
)

# --- execution -----------------------------------------------------------------------------
_add("ssm", ["SendCommand", "StartSession", "ResumeSession"], R.EXECUTION_REMOTE_COMMAND)
_add(
    "ec2-instance-connect",
    ["SendSSHPublicKey", "SendSerialConsoleSSHPublicKey"],
    R.EXECUTION_REMOTE_COMMAND,
)
_add("ec2", ["EnableSerialConsoleAccess"], R.EXECUTION_REMOTE_COMMAND)
_add("cloudshell", ["CreateSession"], R.EXECUTION_REMOTE_COMMAND)
_add(
    "ec2",
    ["ModifyInstanceAttribute"],
    R.EXECUTION_REMOTE_COMMAND,
    "catalogue: privilege escalation. New userData runs as root at the next boot, so we "
    "call it execution (Stratus ec2-user-data); other attribute changes are not tagged.",
    _param("userData"),
)
_LAMBDA_CODE = (
    "catalogue: persistence/impact. New code or layers run the attacker's code under the "
    "function's role: serverless execution (ATT&CK T1648), which is what buys persistence."
)
_add(
    "lambda",
    ["UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2"],
    R.EXECUTION_REMOTE_COMMAND,
    _LAMBDA_CODE,
)
_add("lambda", ["CreateFunction20150331"], R.EXECUTION_REMOTE_COMMAND, _LAMBDA_CODE)

# --- persistence ---------------------------------------------------------------------------
_add("iam", ["CreateAccessKey"], R.PERSISTENCE_ACCESS_KEY)
_add(
    "iam",
    ["UpdateAccessKey"],
    R.PERSISTENCE_ACCESS_KEY,
    when=_param("status", "Active"),
)
_add(
    "iam",
    ["UploadSSHPublicKey", "CreateServiceSpecificCredential", "UploadSigningCertificate"],
    R.PERSISTENCE_ACCESS_KEY,
    NOT_LISTED + "other long-lived IAM credentials an attacker can add to a user.",
)
_add("ec2", ["CreateKeyPair", "ImportKeyPair"], R.PERSISTENCE_ACCESS_KEY)
_add(
    "sts",
    ["GetFederationToken"],
    R.PERSISTENCE_ACCESS_KEY,
    "catalogue: persistence, as we say; its credentials outlive the deactivation of the "
    "key that minted them (Stratus sts-federation-token).",
)
_add(
    "sts",
    ["GetSessionToken"],
    R.LATERAL_ASSUME_ROLE,
    "catalogue: initial access. For a leaked key it is a new temporary key to follow.",
)
_add("iam", ["CreateUser"], R.PERSISTENCE_USER)
_add("sso-directory", ["CreateUser"], R.PERSISTENCE_USER)
_add(
    "identitystore",
    ["CreateUser"],
    R.PERSISTENCE_USER,
    NOT_LISTED + "the Identity Store API behind sso-directory CreateUser.",
)
_add(
    "iam",
    ["CreateLoginProfile", "UpdateLoginProfile", "ChangePassword"],
    R.PERSISTENCE_LOGIN_PROFILE,
)
_add(
    "iam",
    ["UpdateAssumeRolePolicy", "CreateRole"],
    R.PERSISTENCE_ROLE_TRUST,
    "tagged when the trust admits users, roles, accounts or federated identities: a trust "
    "narrowed to an AWS service (a deploy's Lambda or EC2 role) opens nothing to anyone.",
    trust_admits_principals,
)
_add(
    "iam",
    ["CreateOpenIDConnectProvider", "CreateSAMLProvider", "UpdateSAMLProvider"],
    R.PERSISTENCE_ROLE_TRUST,
)
_add(
    "rolesanywhere",
    ["CreateTrustAnchor", "CreateProfile"],
    R.PERSISTENCE_ROLE_TRUST,
    NOT_LISTED + "a trust anchor lets outside certificates assume roles "
    "(Stratus rolesanywhere-create-trust-anchor).",
)

# --- privilege escalation ------------------------------------------------------------------
_add(
    "iam",
    [
        "AttachUserPolicy",
        "AttachRolePolicy",
        "AttachGroupPolicy",
        "PutUserPolicy",
        "PutRolePolicy",
        "PutGroupPolicy",
        "CreatePolicy",
        "CreatePolicyVersion",
        "SetDefaultPolicyVersion",
        "AddUserToGroup",
        "AddRoleToInstanceProfile",
        "DeleteRolePermissionsBoundary",
        "DeleteUserPermissionsBoundary",
        "PutRolePermissionsBoundary",
        "PutUserPermissionsBoundary",
    ],
    R.PRIVESC_POLICY,
)
_add(
    "iam",
    ["DeleteRolePolicy", "DeleteUserPolicy"],
    R.PRIVESC_POLICY,
    "tagged only when the policy removed is keycheck's own deny (containment undone): "
    "removing any other policy takes rights away, which is clean-up, not escalation.",
    _removes_keychecks_policy,
)
_add("iam", ["CreateGroup"], R.PRIVESC_POLICY)
_add("ec2", ["ReplaceIamInstanceProfileAssociation"], R.PRIVESC_POLICY)
_add(
    "ec2",
    ["AssociateIamInstanceProfile"],
    R.PRIVESC_POLICY,
    NOT_LISTED + "the first-time form of ReplaceIamInstanceProfileAssociation.",
)
_add("lambda", ["AddPermission20150331v2"], R.PRIVESC_POLICY)
_add("eks", ["AssociateAccessPolicy", "CreateAccessEntry"], R.PRIVESC_POLICY)
_add(
    "sso",
    ["CreateAccountAssignment"],
    R.PRIVESC_POLICY,
    "catalogue: persistence; an account assignment grants a permission set, which is "
    "privilege escalation by policy as much as persistence (the rule covers both).",
)
_add(
    "sso-directory",
    ["AddMemberToGroup"],
    R.PRIVESC_POLICY,
    "catalogue: persistence; group membership grants the group's permission sets.",
)

# --- lateral movement: keys to follow --------------------------------------------------------
_add(
    "sts", ["AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"], R.LATERAL_ASSUME_ROLE
)
_add("signin", ["SwitchRole"], R.LATERAL_ASSUME_ROLE)

# --- defense evasion ------------------------------------------------------------------------
_add("cloudtrail", ["StopLogging", "DeleteTrail", "UpdateTrail"], R.DEFENSE_EVASION_LOGGING)
_add(
    "cloudtrail",
    ["PutEventSelectors"],
    R.DEFENSE_EVASION_LOGGING,
    "tagged when the selectors drop management events or keep only reads or writes.",
    _narrows_selectors,
)
_add(
    "cloudtrail",
    ["PutInsightSelectors", "DeleteEventDataStore", "StopEventDataStoreIngestion"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "the Insights and CloudTrail Lake forms of turning trails off.",
)
_add("ec2", ["DeleteFlowLogs"], R.DEFENSE_EVASION_LOGGING)
_add("logs", ["DeleteLogGroup", "DeleteLogStream"], R.DEFENSE_EVASION_LOGGING)
_add(
    "logs",
    ["DeleteSubscriptionFilter", "DeleteMetricFilter", "PutRetentionPolicy"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "removing the metric filters and subscriptions that alert on CloudTrail, "
    "or shortening retention, blinds the detections keycheck relies on.",
)
_add(
    "route53resolver",
    ["DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "DNS query logging turned off (Stratus dns-delete-logs).",
)
_add(
    "config",
    [
        "DeleteConfigRule",
        "DeleteConfigurationRecorder",
        "DeleteDeliveryChannel",
        "StopConfigurationRecorder",
    ],
    R.DEFENSE_EVASION_LOGGING,
)
_add(
    "guardduty",
    [
        "CreateFilter",
        "CreateIPSet",
        "DeleteDetector",
        "DeleteInvitations",
        "DeleteMembers",
        "DeletePublishingDestination",
        "DisassociateFromMasterAccount",
        "DisassociateMembers",
        "StopMonitoringMembers",
        "UpdateDetector",
        "UpdateIPSet",
    ],
    R.DEFENSE_EVASION_LOGGING,
)
_add("securityhub", ["DeleteMembers"], R.DEFENSE_EVASION_LOGGING)
_add(
    "securityhub",
    ["DeleteInsight", "UpdateFindings", "BatchUpdateFindings", "DisableSecurityHub"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "archiving or suppressing findings, or turning Security Hub off, hides "
    "what it saw.",
)
_add(
    "macie2",
    ["UpdateMacieSession", "DisableMacie", "DeleteMember", "DisassociateMember"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "pausing Macie or slowing its findings blinds data-exfiltration detection.",
)
_add(
    "macie",
    ["UpdateMacieSession", "DisableMacie"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "Macie's first API, the same calls as macie2's.",
)
_add("monitoring", ["DeleteAlarms"], R.DEFENSE_EVASION_LOGGING)
_add(
    "monitoring",
    ["DisableAlarmActions"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "silencing alarms without deleting them.",
)
_add("iam", ["DeactivateMFADevice"], R.DEFENSE_EVASION_LOGGING)
_add(
    "iam",
    ["DeleteVirtualMFADevice"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "the delete form of DeactivateMFADevice.",
)
_add("rds", ["ModifyActivityStream"], R.DEFENSE_EVASION_LOGGING)
_add(
    "rds",
    ["StopActivityStream"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "turns off the database activity log.",
)
_add("events", ["DeleteRule", "DisableRule", "RemoveTargets"], R.DEFENSE_EVASION_LOGGING)
_add(
    "organizations",
    ["LeaveOrganization"],
    R.DEFENSE_EVASION_LOGGING,
    "catalogue: defense evasion, as we say: leaving drops the organization's trail and SCPs.",
)
_add(
    "s3",
    ["PutBucketLogging"],
    R.DEFENSE_EVASION_LOGGING,
    NOT_LISTED + "an empty BucketLoggingStatus turns server access logging off.",
    _logging_off,
)

# --- exfiltration ---------------------------------------------------------------------------
_SHARED = "tagged only when it adds access for everyone or for another account."
_add(
    "ec2",
    ["ModifySnapshotAttribute", "ModifyImageAttribute"],
    R.EXFIL_SHARING,
    _SHARED,
    adds_permission,
)
_add(
    "ec2",
    ["CreateInstanceExportTask", "SharedSnapshotCopyInitiated", "SharedSnapshotVolumeCreated"],
    R.EXFIL_SHARING,
)
_add(
    "ec2",
    ["AuthorizeSecurityGroupIngress"],
    R.EXFIL_SHARING,
    "catalogue: persistence/lateral movement. We tag only rules open to the whole "
    "internet (a /0 CIDR), which expose the account's data (Stratus open-port-22-ingress).",
    _opens_to_internet,
)
_add("rds", ["StartExportTask"], R.EXFIL_SHARING)
_add("rds", ["ModifyDBSnapshotAttribute"], R.EXFIL_SHARING, _SHARED, adds_restore_access)
_add(
    "rds",
    ["ModifyDBClusterSnapshotAttribute"],
    R.EXFIL_SHARING,
    NOT_LISTED + "the Aurora form of ModifyDBSnapshotAttribute; " + _SHARED,
    adds_restore_access,
)
_add("s3", ["PutBucketReplication", "JobCreated"], R.EXFIL_SHARING)
_add("s3", ["PutBucketPolicy"], R.EXFIL_SHARING, _SHARED, request_policy_opens)
_add("s3", ["PutBucketAcl"], R.EXFIL_SHARING, _SHARED, acl_public)
_add(
    "s3",
    ["PutObjectAcl"],
    R.EXFIL_SHARING,
    NOT_LISTED + "the object form of PutBucketAcl; " + _SHARED,
    acl_public,
)
_add(
    "s3",
    ["DeleteBucketPublicAccessBlock", "DeletePublicAccessBlock"],
    R.EXFIL_SHARING,
    NOT_LISTED + "removing a public access block is the first step to a public bucket.",
)
_RESOURCE_POLICY = NOT_LISTED + "a resource policy letting in everyone or another account."
_add("ecr", ["SetRepositoryPolicy"], R.EXFIL_SHARING, _RESOURCE_POLICY, request_policy_opens)
_add("sqs", ["SetQueueAttributes"], R.EXFIL_SHARING, _RESOURCE_POLICY, request_policy_opens)
_add("sns", ["SetTopicAttributes"], R.EXFIL_SHARING, _RESOURCE_POLICY, request_policy_opens)
_add(
    "secretsmanager",
    ["PutResourcePolicy"],
    R.EXFIL_SHARING,
    _RESOURCE_POLICY,
    request_policy_opens,
)
_add("transfer", ["CreateServer", "CreateUser"], R.EXFIL_SHARING)
_add(
    "es",
    ["CreateElasticsearchDomain", "UpdateElasticsearchDomainConfig", "CreateDomain"],
    R.EXFIL_SHARING,
    _RESOURCE_POLICY,
    request_policy_opens,
)

# --- impact: hijacked resources ---------------------------------------------------------------
_add("ec2", ["RunInstances", "StartInstances", "CreateLaunchTemplate"], R.IMPACT_COMPUTE)
_add(
    "ec2",
    ["RequestSpotInstances", "RequestSpotFleet", "CreateFleet"],
    R.IMPACT_COMPUTE,
    NOT_LISTED + "the spot and fleet forms of RunInstances, favoured by miners.",
)
_add("autoscaling", ["CreateAutoScalingGroup"], R.IMPACT_COMPUTE)
_add("ecs", ["CreateCluster", "CreateService", "RegisterTaskDefinition"], R.IMPACT_COMPUTE)
_add(
    "ecs",
    ["RunTask"],
    R.IMPACT_COMPUTE,
    NOT_LISTED + "running a task is the last step of the catalogue's ECS hijack.",
)
_add("lightsail", ["CreateInstances"], R.IMPACT_COMPUTE)
_add("cloudformation", ["CreateStack"], R.IMPACT_COMPUTE)
_add("servicequotas", ["RequestServiceQuotaIncrease"], R.IMPACT_COMPUTE)
_add(
    "bedrock",
    [
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "CreateFoundationModelAgreement",
        "PutFoundationModelEntitlement",
        "PutUseCaseForModelAccess",
    ],
    R.IMPACT_COMPUTE,
)
_add(
    "bedrock",
    ["Converse", "ConverseStream"],
    R.IMPACT_COMPUTE,
    NOT_LISTED + "the newer chat form of InvokeModel (LLM hijacking).",
)
_add(
    "ses",
    ["CreateEmailIdentity", "UpdateAccountSendingEnabled", "VerifyEmailIdentity"],
    R.IMPACT_COMPUTE,
)
_add(
    "ses",
    ["SendEmail"],
    R.IMPACT_COMPUTE,
    "catalogue: collection/command and control/resource hijacking; spam through a "
    "hijacked account is resource hijacking (T1496), our impact.compute.",
)
_add(
    "ses",
    ["SendRawEmail", "VerifyDomainIdentity"],
    R.IMPACT_COMPUTE,
    NOT_LISTED + "the raw and domain forms of SendEmail and VerifyEmailIdentity.",
)
_add(
    "sns",
    ["Publish"],
    R.IMPACT_COMPUTE,
    "tagged only when it sends an SMS (phoneNumber): applications publish to topics all day.",
    _param("phoneNumber"),
)

# --- impact: destruction ----------------------------------------------------------------------
_add(
    "s3",
    ["DeleteBucket", "DeleteObject", "PutBucketLifecycle", "PutBucketEncryption"],
    R.IMPACT_DESTRUCTION,
)
_add(
    "s3",
    ["PutBucketVersioning"],
    R.IMPACT_DESTRUCTION,
    "tagged only when versioning is suspended: that is what a ransom prepares.",
    _suspends_versioning,
)
_add(
    "s3",
    ["DeleteObjects", "PutBucketLifecycleConfiguration"],
    R.IMPACT_DESTRUCTION,
    NOT_LISTED + "the bulk delete, and the current name of PutBucketLifecycle.",
)
_add("rds", ["DeleteDBCluster", "DeleteDBInstance", "DeleteGlobalCluster"], R.IMPACT_DESTRUCTION)
_add(
    "rds",
    ["DeleteDBSnapshot", "DeleteDBClusterSnapshot"],
    R.IMPACT_DESTRUCTION,
    NOT_LISTED + "deleting the backups is part of every ransom.",
)
_add("ec2", ["DeleteSnapshot", "DeleteVolume", "TerminateInstances"], R.IMPACT_DESTRUCTION)
_add("elasticfilesystem", ["DeleteFileSystem", "DeleteMountTarget"], R.IMPACT_DESTRUCTION)
_add("kms", ["ScheduleKeyDeletion", "PutKeyPolicy"], R.IMPACT_DESTRUCTION)
_add(
    "kms",
    ["DisableKey"],
    R.IMPACT_DESTRUCTION,
    NOT_LISTED + "disabling a key makes its data unreadable, like ScheduleKeyDeletion.",
)
_add("sqs", ["PurgeQueue"], R.IMPACT_DESTRUCTION)
_add("iam", ["DeleteAccessKey", "DeleteLoginProfile", "DeleteUser"], R.IMPACT_DESTRUCTION)
_add(
    "backup",
    ["DeleteBackupVault", "DeleteRecoveryPoint", "DeleteBackupPlan"],
    R.IMPACT_DESTRUCTION,
    NOT_LISTED + "deleting backups is how ransom gets leverage.",
)
_add(
    "dynamodb",
    ["DeleteTable", "DeleteBackup"],
    R.IMPACT_DESTRUCTION,
    NOT_LISTED + "the DynamoDB form of DeleteDBInstance.",
)

# Catalogue calls with one of the checked tactics that we deliberately leave untagged.
_ROUTINE = "routine for operators and automation; tagging it would bury the real signal. "
UNTAGGED: dict[tuple[str, str], str] = {
    ("agreement-marketplace.amazonaws.com", "AcceptAgreementRequest"): _ROUTINE
    + "Bedrock's own model agreements are tagged instead.",
    ("apigateway.amazonaws.com", "CreateApi"): _ROUTINE + "an API is not an identity.",
    ("apigateway.amazonaws.com", "CreateIntegration"): _ROUTINE + "an API is not an identity.",
    ("apigateway.amazonaws.com", "CreateRoute"): _ROUTINE + "an API is not an identity.",
    ("apigateway.amazonaws.com", "CreateStage"): _ROUTINE + "an API is not an identity.",
    ("appsync.amazonaws.com", "CreateApiKey"): _ROUTINE + "an AppSync key opens one API.",
    ("appsync.amazonaws.com", "UpdateGraphqlApi"): _ROUTINE,
    ("appsync.amazonaws.com", "UpdateResolver"): _ROUTINE,
    ("cognito-identity.amazonaws.com", "GetCredentialsForIdentity"): "made by anonymous "
    "identity-pool users, never with the leaked key: it cannot appear in its timeline.",
    ("cognito-identity.amazonaws.com", "GetId"): "made by anonymous identity-pool users, "
    "never with the leaked key.",
    ("ec2.amazonaws.com", "AttachVolume"): _ROUTINE,
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupEgress"): _ROUTINE + "security groups allow "
    "all egress by default; opening ingress to the internet is what we tag.",
    ("ec2.amazonaws.com", "CreateDefaultVpc"): _ROUTINE,
    ("ec2.amazonaws.com", "CreateImage"): _ROUTINE + "sharing the image is what we tag.",
    ("ec2.amazonaws.com", "CreateNetworkAclEntry"): _ROUTINE,
    ("ec2.amazonaws.com", "CreateRoute"): _ROUTINE,
    ("ec2.amazonaws.com", "CreateSecurityGroup"): _ROUTINE + "opening it to the internet is "
    "what we tag.",
    ("ec2.amazonaws.com", "CreateSnapshot"): _ROUTINE + "sharing the snapshot is what we tag.",
    ("ec2.amazonaws.com", "CreateVolume"): _ROUTINE,
    ("ec2.amazonaws.com", "DeleteNetworkAcl"): _ROUTINE,
    ("ec2.amazonaws.com", "DeleteNetworkAclEntry"): _ROUTINE,
    ("ec2.amazonaws.com", "StopInstances"): _ROUTINE + "stopping is reversible; the user-data "
    "change it usually precedes is tagged.",
    ("ecr.amazonaws.com", "BatchGetImage"): "a data read on every image pull.",
    ("elasticloadbalancing.amazonaws.com", "CreateRule"): _ROUTINE,
    ("events.amazonaws.com", "PutRule"): _ROUTINE + "removing or disabling rules is tagged.",
    ("events.amazonaws.com", "PutTargets"): _ROUTINE + "removing targets is tagged.",
    ("glue.amazonaws.com", "CreateDevEndpoint"): _ROUTINE + "the PassRole behind it shows in "
    "the timeline.",
    ("glue.amazonaws.com", "CreateJob"): _ROUTINE,
    ("glue.amazonaws.com", "UpdateDevEndpoint"): _ROUTINE,
    ("glue.amazonaws.com", "UpdateJob"): _ROUTINE,
    ("iam.amazonaws.com", "CreateServiceLinkedRole"): "AWS services create these roles for "
    "themselves; their trust is fixed by AWS.",
    ("kms.amazonaws.com", "CreateKey"): _ROUTINE,
    ("kms.amazonaws.com", "Encrypt"): "a data call made on every encrypted write.",
    ("kms.amazonaws.com", "GenerateDataKeyWithoutPlaintext"): "a data call made by every "
    "envelope-encrypting client.",
    ("lambda.amazonaws.com", "CreateEventSourceMapping20150331"): _ROUTINE,
    ("lambda.amazonaws.com", "CreateFunctionUrlConfig"): _ROUTINE,
    ("lambda.amazonaws.com", "Invoke"): "a data event, on every invocation.",
    ("lambda.amazonaws.com", "UpdateEventSourceMapping20150331"): _ROUTINE,
    ("logs.amazonaws.com", "CreateLogStream"): "every logging agent does this all day.",
    ("logs.amazonaws.com", "PutLogEvents"): "every logging agent does this all day.",
    ("organizations.amazonaws.com", "CreateAccount"): _ROUTINE + "needs the management account.",
    ("organizations.amazonaws.com", "InviteAccountToOrganization"): _ROUTINE,
    ("rds.amazonaws.com", "AuthorizeDBSecurityGroupIngress"): _ROUTINE,
    ("rds.amazonaws.com", "CreateDBSecurityGroup"): _ROUTINE,
    ("rds.amazonaws.com", "CreateDBSnapshot"): _ROUTINE + "sharing it is what we tag.",
    ("route53.amazonaws.com", "ChangeResourceRecordSets"): _ROUTINE,
    ("route53.amazonaws.com", "CreateHostedZone"): _ROUTINE,
    ("route53domains.amazonaws.com", "RegisterDomain"): _ROUTINE,
    ("iam.amazonaws.com", "DetachRolePolicy"): "it takes rights away: clean-up, not "
    "escalation; the Footprint lists what the attacker attached so it can be detached.",
    ("iam.amazonaws.com", "DetachUserPolicy"): "it takes rights away: clean-up, not "
    "escalation; the Footprint lists what the attacker attached so it can be detached.",
    ("s3.amazonaws.com", "DeleteBucketPolicy"): _ROUTINE + "it closes access rather than "
    "opening it.",
    ("s3.amazonaws.com", "GetObject"): "a data event, on every read.",
    ("s3.amazonaws.com", "PutObject"): "a data event, on every write.",
    ("ses.amazonaws.com", "DeleteIdentity"): _ROUTINE,
    ("ses.amazonaws.com", "PutAccountDetails"): "the request for production sending access; "
    "the sending it enables is tagged.",
    ("sso.amazonaws.com", "StartSSO"): _ROUTINE,
    ("sso.amazonaws.com", "UpdateSsoConfiguration"): _ROUTINE,
    ("sso-directory.amazonaws.com", "CreateGroup"): _ROUTINE + "adding members is tagged.",
    ("support.amazonaws.com", "CreateCase"): _ROUTINE,
    ("wafv2.amazonaws.com", "DeleteRuleGroup"): "web application defences, not detection of "
    "this account's own use; outside this tool's scope.",
    ("wafv2.amazonaws.com", "DeleteWebACL"): "web application defences; outside our scope.",
    ("wafv2.amazonaws.com", "UpdateIPSet"): "web application defences; outside our scope.",
}

# --- discovery: what counts towards a recon.enumeration burst -----------------------------
DISCOVERY_VERBS = ("List", "Get", "Describe", "Search", "Lookup", "Simulate", "BatchGet")
# Every read of these services is reconnaissance of identities, the account, its defences,
# or the resources attackers abuse first (email, SMS, models, quotas, cost).
DISCOVERY_SERVICES = frozenset(
    f"{name}.amazonaws.com"
    for name in (
        "iam",
        "sts",
        "organizations",
        "account",
        "sso",
        "sso-directory",
        "identitystore",
        "guardduty",
        "securityhub",
        "cloudtrail",
        "bedrock",
        "ses",
        "sns",
        "servicequotas",
        "ce",
        "secretsmanager",
    )
)
NOT_DISCOVERY = frozenset(
    {
        ("sts.amazonaws.com", "GetSessionToken"),
        ("sts.amazonaws.com", "GetFederationToken"),
        ("sso.amazonaws.com", "GetRoleCredentials"),
        ("secretsmanager.amazonaws.com", "GetSecretValue"),
        ("secretsmanager.amazonaws.com", "BatchGetSecretValue"),
    }
)
DISCOVERY_CALLS = frozenset(
    {
        ("ec2.amazonaws.com", "DescribeRegions"),
        ("ec2.amazonaws.com", "DescribeAccountAttributes"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("lightsail.amazonaws.com", "GetRegions"),
        ("iam.amazonaws.com", "GenerateCredentialReport"),
    }
)
_INVENTORY = (
    "resource inventory: consoles, SDKs and scanners issue these all day, so counting them "
    "would make every busy key look like recon; the calls stay in the timeline untagged."
)
# Catalogue discovery calls of these services do not count towards a burst; why, per service.
DISCOVERY_NOT_COUNTED: dict[str, str] = {
    f"{name}.amazonaws.com": _INVENTORY
    for name in (
        "acm-pca",
        "agreement-marketplace",
        "aoss",
        "appsync",
        "athena",
        "discovery-marketplace",
        "ec2",
        "ecr",
        "eks",
        "elasticloadbalancing",
        "events",
        "glacier",
        "health",
        "kms",
        "lambda",
        "lightsail",
        "logs",
        "monitoring",
        "rds",
        "resource-explorer-2",
        "route53",
        "route53domains",
        "s3",
        "sagemaker",
        "servicecatalog-appregistry",
        "ssm",
    )
}


def is_discovery(source: str, name: str) -> bool:
    """A read that maps the account: IAM, identity, defences, abuse targets (see the sets)."""
    if (source, name) in DISCOVERY_CALLS:
        return True
    if (source, name) in NOT_DISCOVERY or source not in DISCOVERY_SERVICES:
        return False
    return name.startswith(DISCOVERY_VERBS)


def api_rule(event: TimelineEvent) -> RuleId | None:
    """The table's rule for this call, if its condition (when it has one) holds."""
    entry = API_RULES.get((event.event_source, event.event_name))
    if entry is None or (entry.when is not None and not entry.when(event)):
        return None
    return entry.rule
