"""Findings: grouped per rule, in the order a responder reads an intrusion, with who and how."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.analysis.exposure import policy_opens
from bot.analysis.pipeline import analyze
from bot.analysis.tagging import AnalysisConfig
from bot.models import RuleId, Severity
from tests.unit.analysis.support import ACCOUNT, T0, event

SEED = ("GetCallerIdentity", "ListUsers", "ListAccessKeys", "ListRoles", "ListPolicies", "GetUser")


def test_findings_follow_the_intrusion_recon_first_and_say_what_happened() -> None:
    events = [
        event(
            name,
            "sts" if name == "GetCallerIdentity" else "iam",
            when=T0 + timedelta(seconds=7 * i),
        )
        for i, name in enumerate(SEED)
    ]
    events += [
        event("CreateUser", when=T0 + timedelta(minutes=2)),
        event("StopLogging", "cloudtrail", when=T0 + timedelta(minutes=3)),
    ]
    result = analyze(events, AnalysisConfig())
    assert [f.rule for f in result.findings] == [
        RuleId.RECON_CALLER_IDENTITY,
        RuleId.RECON_ENUMERATION,
        RuleId.PERSISTENCE_USER,
        RuleId.DEFENSE_EVASION_LOGGING,
    ]
    burst = result.findings[1]
    assert burst.technique == "T1087.004"
    assert "6 discovery calls (6 distinct) within 35 s" in burst.summary
    assert "GetCallerIdentity, ListUsers, ListAccessKeys" in burst.summary
    assert len(burst.event_ids) == 6


def test_a_finding_made_only_of_failed_calls_is_an_attempt_one_step_less_urgent() -> None:
    failed = event("StopLogging", "cloudtrail", errorCode="TrailNotFoundException")
    (finding,) = analyze([failed], AnalysisConfig()).findings
    assert finding.severity is Severity.HIGH
    assert finding.summary.startswith("Attempted, failed: ")
    assert "(1 failed)" in finding.summary


def test_one_success_among_failures_is_the_real_thing() -> None:
    calls = [
        event("StopLogging", "cloudtrail", errorCode="AccessDenied"),
        event("StopLogging", "cloudtrail", when=T0 + timedelta(seconds=1)),
    ]
    logging = next(
        f
        for f in analyze(calls, AnalysisConfig()).findings
        if f.rule is RuleId.DEFENSE_EVASION_LOGGING
    )
    assert logging.severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("statement", "opens"),
    [
        ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}, True),
        ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}}, True),
        ({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}}, False),
        ({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}}, False),
        ({"Effect": "Deny", "Principal": "*"}, False),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            },
            False,
        ),
    ],
)
def test_a_policy_opens_to_everyone_or_another_account_unless_pinned(
    statement: dict[str, object], opens: bool
) -> None:
    assert policy_opens({"Statement": [statement]}, ACCOUNT) is opens


def test_an_unreadable_policy_is_not_called_open() -> None:
    assert policy_opens("{not json", ACCOUNT) is False
    assert policy_opens(None, ACCOUNT) is False
