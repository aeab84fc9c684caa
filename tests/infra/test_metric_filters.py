"""The metric filters of detections.yaml against real CloudTrail records, and their alarms."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.infra.cfn import INFRA, Stack
from tests.infra.filter_pattern import matches
from tests.infra.samples import DELETE, Record, aws_docs, edited, panther, root_scenario, stratus

STACK = Stack(INFRA / "detections.yaml", {"CloudTrailLogGroupName": "org-trail"})
FILTERS = STACK.of_type("AWS::Logs::MetricFilter")
ALARMS = STACK.of_type("AWS::CloudWatch::Alarm")
PATTERNS = {
    f["MetricTransformations"][0]["MetricName"]: f["FilterPattern"] for f in FILTERS.values()
}
ATTACKER = root_scenario("attacker")


def attacker(event_name: str, index: int = 0) -> Record:
    return [r for r in ATTACKER if r["eventName"] == event_name][index]


Case = tuple[str, Callable[[], list[Record]], bool]
CASES: dict[str, Case] = {
    # AccessDenied / UnauthorizedOperation
    "denied-get-password-data-burst": (
        "AccessDenied",
        lambda: stratus("credential-access.ec2-get-password-data", "GetPasswordData", error=True),
        True,
    ),
    "denied-assume-role": (
        "AccessDenied",
        lambda: stratus("credential-access.ec2-get-password-data", "AssumeRole", error=True),
        True,
    ),
    "denied-leave-organization": (
        "AccessDenied",
        lambda: stratus("defense-evasion.organizations-leave", "LeaveOrganization"),
        True,
    ),
    "denied-panther": (
        "AccessDenied",
        lambda: [
            panther(
                "AWS.CloudTrail.UnauthorizedAPICall", "Unauthorized API Call from Within AWS (IP)"
            )
        ],
        True,
    ),
    "denied-exception-suffix": (
        "AccessDenied",
        lambda: [edited(aws_docs("cloudtrail-ug_UpdateTrail"), errorCode="AccessDeniedException")],
        True,
    ),
    "allowed-assume-role": (
        "AccessDenied",
        lambda: stratus("credential-access.ec2-get-password-data", "AssumeRole", error=False),
        False,
    ),
    "other-error": ("AccessDenied", lambda: [aws_docs("cloudtrail-ug_UpdateTrail")], False),
    "denied-log-delivery": (
        "AccessDenied",
        lambda: [
            edited(
                aws_docs("cloudtrail-ug_UpdateTrail"),
                errorCode="AccessDenied",
                sourceIPAddress="delivery.logs.amazonaws.com",
            )
        ],
        False,
    ),
    "denied-head-bucket": (
        "AccessDenied",
        lambda: [
            edited(
                aws_docs("iam-ug_DeleteBucket"), eventName="HeadBucket", errorCode="AccessDenied"
            )
        ],
        False,
    ),
    # root usage
    "root-attacker-all": (
        "RootUsage",
        lambda: [r for r in ATTACKER if r["userIdentity"]["type"] == "Root"],
        True,
    ),
    "root-victim-all": ("RootUsage", lambda: root_scenario("victim"), True),
    "root-panther-activity": (
        "RootUsage",
        lambda: [panther("AWS.Root.Activity", "Root Activity")],
        True,
    ),
    "root-then-iam-user": ("RootUsage", lambda: [attacker("RunInstances")], False),
    "root-service-event": (
        "RootUsage",
        lambda: [edited(attacker("CreateUser"), eventType="AwsServiceEvent")],
        False,
    ),
    "root-invoked-by-service": (
        "RootUsage",
        lambda: [edited(attacker("CreateUser"), userIdentity__invokedBy="support.amazonaws.com")],
        False,
    ),
    # console sign-in without MFA
    "nomfa-stratus": (
        "ConsoleLoginNoMfa",
        lambda: stratus("initial-access.console-login-without-mfa", "ConsoleLogin"),
        True,
    ),
    "nomfa-root-success": ("ConsoleLoginNoMfa", lambda: [attacker("ConsoleLogin", 3)], True),
    "nomfa-docs-success": (
        "ConsoleLoginNoMfa",
        lambda: [aws_docs("iam-ug_ConsoleLogin_success")],
        True,
    ),
    "nomfa-panther-iam-user": (
        "ConsoleLoginNoMfa",
        lambda: [panther("AWS.Console.LoginWithoutMFA", "No MFA Login - IAM User")],
        True,
    ),
    "nomfa-failed-root": ("ConsoleLoginNoMfa", lambda: [attacker("ConsoleLogin", 0)], False),
    "nomfa-docs-failure": ("ConsoleLoginNoMfa", lambda: [aws_docs("iam-ug_ConsoleLogin_1")], False),
    "mfa-used": (
        "ConsoleLoginNoMfa",
        lambda: [panther("AWS.Console.LoginWithoutMFA", "MFA Login")],
        False,
    ),
    "nomfa-sso": (
        "ConsoleLoginNoMfa",
        lambda: [panther("AWS.Console.LoginWithoutMFA", "AWS SSOv2 Login")],
        False,
    ),
    "nomfa-no-additional-data": (
        "ConsoleLoginNoMfa",
        lambda: [edited(aws_docs("iam-ug_ConsoleLogin_success"), additionalEventData=DELETE)],
        False,
    ),
    # CloudTrail / GuardDuty / Config tampering
    "tamper-stop-logging": (
        "LoggingTampering",
        lambda: stratus("defense-evasion.cloudtrail-stop", "StopLogging"),
        True,
    ),
    "tamper-delete-trail": (
        "LoggingTampering",
        lambda: stratus("defense-evasion.cloudtrail-delete", "DeleteTrail"),
        True,
    ),
    "tamper-event-selectors": (
        "LoggingTampering",
        lambda: stratus("defense-evasion.cloudtrail-event-selectors", "PutEventSelectors"),
        True,
    ),
    "tamper-root-attempt": ("LoggingTampering", lambda: [attacker("StopLogging")], True),
    "tamper-config-deleted": (
        "LoggingTampering",
        lambda: [panther("AWS.ConfigService.DisabledDeleted", "Config Recorder Deleted")],
        True,
    ),
    "tamper-guardduty-detector": (
        "LoggingTampering",
        lambda: [
            edited(
                stratus("defense-evasion.cloudtrail-stop", "StopLogging")[0],
                eventSource="guardduty.amazonaws.com",
                eventName="DeleteDetector",
            )
        ],
        True,
    ),
    "start-logging": (
        "LoggingTampering",
        lambda: [panther("AWS.CloudTrail.Stopped", "CloudTrail Was Started")],
        False,
    ),
    "securityhub-delete-members": (
        "LoggingTampering",
        lambda: [
            edited(
                stratus("defense-evasion.cloudtrail-stop", "StopLogging")[0],
                eventSource="securityhub.amazonaws.com",
                eventName="DeleteMembers",
            )
        ],
        False,
    ),
    "flow-logs-out-of-scope": (
        "LoggingTampering",
        lambda: stratus("defense-evasion.vpc-remove-flow-logs", "DeleteFlowLogs"),
        False,
    ),
}


@pytest.mark.parametrize(("metric", "records", "expected"), CASES.values(), ids=CASES.keys())
def test_filter_matches(metric: str, records: Callable[[], list[Record]], expected: bool) -> None:
    loaded = records()
    assert loaded, "no sample records"
    assert [matches(PATTERNS[metric], record) for record in loaded] == [expected] * len(loaded)


def test_every_filter_has_positive_and_negative_cases() -> None:
    covered = {(metric, expected) for metric, _, expected in CASES.values()}
    assert covered == {(metric, verdict) for metric in PATTERNS for verdict in (True, False)}


def test_the_metrics_the_bot_looks_up() -> None:
    assert set(PATTERNS) == {"AccessDenied", "RootUsage", "ConsoleLoginNoMfa", "LoggingTampering"}
    for spec in FILTERS.values():
        (transformation,) = spec["MetricTransformations"]
        assert transformation["MetricNamespace"] == "keycheck"
        assert transformation["MetricValue"] == "1"
        assert spec["FilterName"] == f"keycheck-{transformation['MetricName']}"
        assert spec["LogGroupName"] == "org-trail"
        assert len(spec["FilterPattern"]) <= 1024


def test_alarms_fire_on_any_match_and_name_their_filter() -> None:
    assert {a["MetricName"] for a in ALARMS.values()} == set(PATTERNS)
    for alarm in ALARMS.values():
        metric = alarm["MetricName"]
        assert alarm["AlarmName"] == f"keycheck-{metric}"
        assert f"keycheck/{metric}" in alarm["AlarmDescription"]
        assert f"keycheck-{metric} on org-trail" in " ".join(alarm["AlarmDescription"].split())
        assert alarm["Namespace"] == "keycheck"
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 0)
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == ["<AlertTopic>"]
