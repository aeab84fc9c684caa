"""Every EventBridge pattern of the templates against positive and negative events.

Matching is LocalStack's port of EventBridge's rule engine (localstack-core); the patterns
are the templates' own, resolved with the parameters below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from localstack.services.events.event_rule_engine import EventPatternCompiler, EventRuleEngine

from infra.cidr_prefixes import known_ip_prefixes
from tests.infra.cfn import INFRA, Stack
from tests.infra.samples import (
    DELETE,
    Record,
    aws_docs,
    edited,
    envelope,
    fixture,
    panther,
    root_scenario,
    stratus,
)

OFFICE = "203.0.113.0/24"
KNOWN_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", OFFICE]
TERRAFORM = "arn:aws:sts::111122223333:assumed-role/terraform-ci/"
PARAMETERS = {
    "CloudTrailLogGroupName": "org-trail",
    "KnownIpPrefixes": ",".join(known_ip_prefixes(KNOWN_CIDRS)[0]),
    "ApprovedRegions": "us-east-1,us-west-2",
    "AutomationPrincipalArnPrefixes": TERRAFORM,
}
CENTRAL_BUS = "arn:aws:events:us-east-1:111122223333:event-bus/keycheck"


def matches(pattern: dict[str, Any], event: Record) -> bool:
    """EventBridge's verdict; compiling first also validates the pattern like PutRule does."""
    compiled = EventPatternCompiler().compile_event_pattern(pattern)
    return bool(EventRuleEngine().evaluate_pattern_on_event(compiled, event))


def rule_patterns(**overrides: str) -> dict[str, dict[str, Any]]:
    stack = Stack(INFRA / "detections.yaml", PARAMETERS | overrides)
    return {name: rule["EventPattern"] for name, rule in stack.of_type("AWS::Events::Rule").items()}


RULES = rule_patterns()
FORWARD = Stack(
    INFRA / "detections-region.yaml",
    {"CentralEventBusArn": CENTRAL_BUS, "ApprovedRegions": PARAMETERS["ApprovedRegions"]},
).of_type("AWS::Events::Rule")["ForwardRule"]["EventPattern"]


def ct(record: Record) -> Record:
    return envelope(record)


def caller_identity(ip: str) -> Record:
    (record,) = stratus("credential-access.ec2-steal-instance-credentials", "GetCallerIdentity")
    return envelope(edited(record, sourceIPAddress=ip, awsRegion="us-east-1"))


def responder_put(policy_name: str, role: str = "keycheck-responder") -> Record:
    record = panther("AWS.CloudTrail.IAMCompromisedKeyQuarantine", "PutUserPolicy-false")
    return envelope(
        edited(
            record,
            userIdentity__sessionContext__sessionIssuer__userName=role,
            requestParameters__policyName=policy_name,
        )
    )


def guardduty(finding_type: str) -> Record:
    return edited(fixture("guardduty-finding"), detail__type=finding_type)


def health(code: str) -> Record:
    return edited(fixture("health-risk-credentials-exposed"), detail__eventTypeCode=code)


Case = tuple[str, Callable[[], Record], bool]
ATTACKER = root_scenario("attacker")
CASES: dict[str, Case] = {
    # GetCallerIdentity from outside the known networks
    "gci-stolen-instance-creds": (
        "GetCallerIdentityRule",
        lambda: ct(
            stratus("credential-access.ec2-steal-instance-credentials", "GetCallerIdentity")[0]
        ),
        True,
    ),
    "gci-federation-token": (
        "GetCallerIdentityRule",
        lambda: ct(stratus("persistence.sts-federation-token", "GetCallerIdentity")[0]),
        True,
    ),
    "gci-trufflehog": (
        "GetCallerIdentityRule",
        lambda: ct(panther("AWS.STS.GetCallerIdentity.TruffleHog", "TruffleHog GetCallerIdentity")),
        True,
    ),
    "gci-just-outside-172.16/12": (
        "GetCallerIdentityRule",
        lambda: caller_identity("172.32.0.9"),
        True,
    ),
    "gci-ipv6-public": ("GetCallerIdentityRule", lambda: caller_identity("2001:db8::7"), True),
    "gci-office": ("GetCallerIdentityRule", lambda: caller_identity("203.0.113.7"), False),
    "gci-office-edge": ("GetCallerIdentityRule", lambda: caller_identity("203.0.113.255"), False),
    "gci-10/8": ("GetCallerIdentityRule", lambda: caller_identity("10.20.30.40"), False),
    "gci-172.31": ("GetCallerIdentityRule", lambda: caller_identity("172.31.255.1"), False),
    "gci-192.168": ("GetCallerIdentityRule", lambda: caller_identity("192.168.1.10"), False),
    "gci-ec2-service": (
        "GetCallerIdentityRule",
        lambda: caller_identity("ec2.amazonaws.com"),
        False,
    ),
    "gci-aws-internal": ("GetCallerIdentityRule", lambda: caller_identity("AWS Internal"), False),
    "gci-other-sts-call": (
        "GetCallerIdentityRule",
        lambda: ct(aws_docs("iam-ug_AssumeRole_1")),
        False,
    ),
    # API calls in unapproved regions (approved: us-east-1, us-west-2)
    "region-stop-logging": (
        "UnapprovedRegionRule",
        lambda: ct(stratus("defense-evasion.cloudtrail-stop", "StopLogging")[0]),
        True,
    ),
    "region-eu-central-1": (
        "UnapprovedRegionRule",
        lambda: ct(panther("AWS.UnusedRegion", "Unauthorized region")),
        True,
    ),
    # AWS's 2014 example predates eventType (CloudTrail 1.02+ always writes it)
    "region-docs-us-east-2": (
        "UnapprovedRegionRule",
        lambda: ct(edited(aws_docs("cloudtrail-ug_StartInstances"), eventType="AwsApiCall")),
        True,
    ),
    "region-approved": (
        "UnapprovedRegionRule",
        lambda: ct(panther("AWS.UnusedRegion", "Authorized region")),
        False,
    ),
    "region-aws-internal": (
        "UnapprovedRegionRule",
        lambda: ct(panther("AWS.UnusedRegion", "Unauthorized region, read-only")),
        False,
    ),
    "region-console-invoked": (
        "UnapprovedRegionRule",
        lambda: ct(aws_docs("iam-ug_GetUserPolicy")),
        False,
    ),
    "region-service-event": (
        "UnapprovedRegionRule",
        lambda: ct(edited(aws_docs("cloudtrail-ug_StartInstances"), eventType="AwsServiceEvent")),
        False,
    ),
    "region-console-sign-in": (
        "UnapprovedRegionRule",
        lambda: ct(aws_docs("iam-ug_ConsoleLogin_success")),
        False,
    ),
    # GuardDuty credential findings
    "gd-exfiltration-outside": (
        "GuardDutyCredentialFindingRule",
        lambda: fixture("guardduty-finding"),
        True,
    ),
    "gd-exfiltration-inside": (
        "GuardDutyCredentialFindingRule",
        lambda: guardduty("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS"),
        True,
    ),
    "gd-anomalous": (
        "GuardDutyCredentialFindingRule",
        lambda: guardduty("CredentialAccess:IAMUser/AnomalousBehavior"),
        True,
    ),
    "gd-tor-caller": (
        "GuardDutyCredentialFindingRule",
        lambda: guardduty("Recon:IAMUser/TorIPCaller"),
        True,
    ),
    "gd-attack-sequence": (
        "GuardDutyCredentialFindingRule",
        lambda: fixture("guardduty-attack-sequence"),
        True,
    ),
    "gd-port-probe": (
        "GuardDutyCredentialFindingRule",
        lambda: guardduty("Recon:EC2/PortProbeUnprotectedPort"),
        False,
    ),
    "gd-s3-sequence": (
        "GuardDutyCredentialFindingRule",
        lambda: edited(
            fixture("guardduty-attack-sequence"), detail__type="AttackSequence:S3/CompromisedData"
        ),
        False,
    ),
    # AWS Health RISK events
    "health-exposed": ("HealthRiskRule", lambda: fixture("health-risk-credentials-exposed"), True),
    "health-suspected": (
        "HealthRiskRule",
        lambda: health("AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED"),
        True,
    ),
    "health-quarantine": ("HealthRiskRule", lambda: health("AWS_RISK_IAM_QUARANTINE"), True),
    "health-ec2-issue": ("HealthRiskRule", lambda: fixture("health-ec2-issue"), False),
    # AWSCompromisedKeyQuarantine attached
    "quarantine-v2-user": (
        "QuarantinePolicyRule",
        lambda: ct(
            panther(
                "AWS.CloudTrail.IAMCompromisedKeyQuarantine",
                "AttachUserPolicy AWSCompromisedKeyQuarantineV2-true",
            )
        ),
        True,
    ),
    "quarantine-v3-role": (
        "QuarantinePolicyRule",
        lambda: ct(
            edited(
                panther(
                    "AWS.CloudTrail.IAMCompromisedKeyQuarantine",
                    "AttachUserPolicy AWSCompromisedKeyQuarantineV2-true",
                ),
                eventName="AttachRolePolicy",
                requestParameters={
                    "roleName": "web",
                    "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
                },
            )
        ),
        True,
    ),
    "quarantine-denied": (
        "QuarantinePolicyRule",
        lambda: ct(
            edited(
                panther(
                    "AWS.CloudTrail.IAMCompromisedKeyQuarantine",
                    "AttachUserPolicy AWSCompromisedKeyQuarantineV2-true",
                ),
                errorCode="AccessDenied",
            )
        ),
        False,
    ),
    "quarantine-admin-attached": (
        "QuarantinePolicyRule",
        lambda: ct(stratus("persistence.iam-create-admin-user", "AttachUserPolicy")[0]),
        False,
    ),
    "quarantine-put-user-policy": (
        "QuarantinePolicyRule",
        lambda: ct(panther("AWS.CloudTrail.IAMCompromisedKeyQuarantine", "PutUserPolicy-false")),
        False,
    ),
    # access keys, users, login profiles created outside the automation
    "create-backdoor-key": (
        "CredentialCreationRule",
        lambda: ct(stratus("persistence.iam-backdoor-user", "CreateAccessKey")[0]),
        True,
    ),
    "create-admin-user": (
        "CredentialCreationRule",
        lambda: ct(stratus("persistence.iam-create-admin-user", "CreateUser")[0]),
        True,
    ),
    "create-login-profile": (
        "CredentialCreationRule",
        lambda: ct(stratus("persistence.iam-create-user-login-profile", "CreateLoginProfile")[0]),
        True,
    ),
    "create-key-as-root": (
        "CredentialCreationRule",
        lambda: ct(next(r for r in ATTACKER if r["eventName"] == "CreateAccessKey")),
        True,
    ),
    "create-user-by-terraform": (
        "CredentialCreationRule",
        lambda: ct(
            edited(
                stratus("persistence.iam-create-admin-user", "CreateUser")[0],
                userIdentity={"type": "AssumedRole", "arn": TERRAFORM + "run-1842"},
            )
        ),
        False,
    ),
    "delete-login-profile": (
        "CredentialCreationRule",
        lambda: ct(stratus("persistence.iam-create-user-login-profile", "DeleteLoginProfile")[0]),
        False,
    ),
    # the responder role writing an inline policy that is not keycheck's
    "responder-foreign-policy": ("ResponderPolicyMisuseRule", lambda: responder_put("admin"), True),
    "responder-deny-all": (
        "ResponderPolicyMisuseRule",
        lambda: responder_put("keycheck-deny-all"),
        False,
    ),
    "responder-revoke": (
        "ResponderPolicyMisuseRule",
        lambda: responder_put("keycheck-revoke-sessions"),
        False,
    ),
    "other-role-policy": (
        "ResponderPolicyMisuseRule",
        lambda: responder_put("admin", role="ops"),
        False,
    ),
}


@pytest.mark.parametrize(("rule", "make", "expected"), CASES.values(), ids=CASES.keys())
def test_rule_matches(rule: str, make: Callable[[], Record], expected: bool) -> None:
    assert matches(RULES[rule], make()) is expected


def test_every_rule_has_positive_and_negative_cases() -> None:
    covered = {(rule, expected) for rule, _, expected in CASES.values()}
    assert covered == {(rule, verdict) for rule in RULES for verdict in (True, False)}


@pytest.mark.parametrize(
    "make",
    [make for _, make, expected in CASES.values() if expected],
    ids=[k for k, v in CASES.items() if v[2]],
)
def test_region_stack_forwards_whatever_a_central_rule_matches(make: Callable[[], Record]) -> None:
    assert matches(FORWARD, make())


def test_region_stack_leaves_ordinary_traffic_home() -> None:
    approved_call = edited(aws_docs("cloudtrail-ug_StartInstances"), awsRegion="us-east-1")
    assert not matches(FORWARD, envelope(approved_call))


def test_seed_003_anything_but_cidr_fires_for_the_office_and_ours_does_not() -> None:
    """The trap: anything-but compares strings, so a CIDR there excludes nothing."""
    seed = {
        "source": ["aws.sts"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventName": ["GetCallerIdentity"],
            "sourceIPAddress": [{"anything-but": ["10.0.0.0/8", "172.16.0.0/12", OFFICE]}],
        },
    }
    for office_ip in ("203.0.113.7", "10.1.2.3", "172.16.5.4"):
        event = caller_identity(office_ip)
        assert matches(seed, event), office_ip
        assert not matches(RULES["GetCallerIdentityRule"], event), office_ip


def test_without_known_prefixes_only_service_sources_are_excluded() -> None:
    pattern = rule_patterns(KnownIpPrefixes="")["GetCallerIdentityRule"]
    assert matches(pattern, caller_identity("10.1.2.3"))
    assert not matches(pattern, caller_identity("sts.amazonaws.com"))


def test_without_automation_every_creation_alerts() -> None:
    pattern = rule_patterns(AutomationPrincipalArnPrefixes="")["CredentialCreationRule"]
    by_terraform = edited(
        stratus("persistence.iam-create-admin-user", "CreateUser")[0],
        userIdentity__arn=TERRAFORM + "run-1",
    )
    assert matches(pattern, envelope(by_terraform))
    assert not matches(pattern, envelope(edited(by_terraform, userIdentity__arn=DELETE)))


def test_read_only_matching_rules_receive_read_only_events() -> None:
    stack = Stack(INFRA / "detections.yaml", PARAMETERS)
    rules = stack.of_type("AWS::Events::Rule")
    for name in ("GetCallerIdentityRule", "UnapprovedRegionRule"):
        assert rules[name]["State"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    forward = Stack(INFRA / "detections-region.yaml", {"CentralEventBusArn": CENTRAL_BUS})
    assert forward.of_type("AWS::Events::Rule")["ForwardRule"]["State"] == (
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    )


def test_every_rule_targets_the_alert_topic_with_a_dead_letter_queue() -> None:
    for name, rule in (
        Stack(INFRA / "detections.yaml", PARAMETERS).of_type("AWS::Events::Rule").items()
    ):
        (target,) = rule["Targets"]
        assert target["Arn"] == "<AlertTopic>", name
        assert target["DeadLetterConfig"] == {"Arn": "<AlertDeadLetterQueue.Arn>"}, name
        assert rule["EventBusName"] == "<CentralEventBus.Name>", name


def test_patterns_fit_put_rule() -> None:
    """PutRule takes at most 4096 characters of EventPattern."""
    for name, pattern in {**RULES, "ForwardRule": FORWARD}.items():
        assert len(json.dumps(pattern, separators=(",", ":"))) <= 4096, name
