"""Panther's labelled data: the compromised-root scenario, and precision/recall on rule tests.

panther-labs/panther-analysis (Apache-2.0): test_scenarios/compromised-root-creds and the
unit tests of its CloudTrail rules (aws_cloudtrail_rule_tests.jsonl, one log per line with
the rule it tests and whether that rule should fire).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import yaml

from bot.analysis.networks import parse_networks
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.tagging import AnalysisConfig, tag_events
from bot.models import RuleId as R
from tests.conftest import SHARED_DATA

PANTHER = SHARED_DATA / "panther-analysis"
SCENARIO = PANTHER / "test_scenarios" / "compromised-root-creds"
ATTACKER_IP = "92.55.146.245"
MALICIOUS_KEY = "AKIASWJJJ66ZZZII4IYY"


def _scenario() -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = []
    for name in ("attacker_cloudtrail.yml", "victim_cloudtrail.yml"):
        logs += yaml.safe_load((SCENARIO / name).read_text())["Logs"]
    return logs


def test_the_scenario_keeps_every_record_although_all_share_event_id_1() -> None:
    logs = _scenario()
    assert {log["eventID"] for log in logs} == {"1"}
    result = analyze(map(event_from_record, logs), AnalysisConfig())
    assert len(result.events) == len(logs) == 16
    assert len({e.event_id for e in result.events}) == 16


def test_the_attackers_timeline_from_their_address() -> None:
    config = AnalysisConfig(known_networks=tuple(parse_networks(["71.253.251.0/24"])))
    result = analyze(map(event_from_record, _scenario()), config)
    attacker = [e for e in result.events if e.source_ip == ATTACKER_IP]
    assert [e.event_name for e in attacker] == [
        "ConsoleLogin",
        "ConsoleLogin",
        "ConsoleLogin",
        "ConsoleLogin",
        "StopLogging",
        "CreateAccessKey",
        "CreateUser",
        "AttachUserPolicy",
        "AttachUserPolicy",
        "CreateAccessKey",
        "AttachUserPolicy",
        "RunInstances",
    ]
    assert all(R.NETWORK_UNKNOWN in e.tags for e in attacker)
    victim = [e for e in result.events if e.source_ip == "71.253.251.71"]
    assert not any(R.NETWORK_UNKNOWN in e.tags for e in victim)
    fired = {f.rule for f in result.findings}
    assert {
        R.ROOT_USAGE,
        R.CONSOLE_LOGIN_NO_MFA,
        R.DEFENSE_EVASION_LOGGING,
        R.PERSISTENCE_ACCESS_KEY,
        R.PERSISTENCE_USER,
        R.PRIVESC_POLICY,
        R.IMPACT_COMPUTE,
    } <= fired


def test_the_malicious_keys_timeline_starts_where_the_key_was_made() -> None:
    result = analyze(map(event_from_record, _scenario()), AnalysisConfig(), keys=[MALICIOUS_KEY])
    assert [(e.event_name, e.access_key_id) for e in result.events] == [
        ("CreateAccessKey", ""),
        ("RunInstances", MALICIOUS_KEY),
    ]
    created, launched = result.events
    assert created.user_name == "root"
    assert R.PERSISTENCE_ACCESS_KEY in created.tags
    assert R.IMPACT_COMPUTE in launched.tags
    assert {ip.ip for ip in result.ips} == {ATTACKER_IP}


# -- precision and recall against Panther's rule tests -------------------------------------

# Panther rule → the rule of ours that covers the same behaviour. Panther rules with no
# counterpart (VPC endpoints, RDS maintenance, ECR, WAF, ...) are left out. Kept in on
# purpose although we expect to miss them: Account.Discovery and the other discovery rules
# fire on one call, ours on a burst; Macie, Security Hub and S3 logging evasion are calls
# our table does not cover.
MAPPING: dict[str, R] = {
    "AWS.CloudTrail.Stopped": R.DEFENSE_EVASION_LOGGING,
    "AWS.CloudTrail.EventSelectorsDisabled": R.DEFENSE_EVASION_LOGGING,
    "AWS.CloudTrail.DNSLogsDeleted": R.DEFENSE_EVASION_LOGGING,
    "AWS.VPCFlow.LogsDeleted": R.DEFENSE_EVASION_LOGGING,
    "AWS.ConfigService.DisabledDeleted": R.DEFENSE_EVASION_LOGGING,
    "AWS.CloudTrail.AttemptToLeaveOrg": R.DEFENSE_EVASION_LOGGING,
    "AWS.IPSet.Modified": R.DEFENSE_EVASION_LOGGING,
    "AWS.Macie.Evasion": R.DEFENSE_EVASION_LOGGING,
    "AWS.SecurityHub.Finding.Evasion": R.DEFENSE_EVASION_LOGGING,
    "AWS.S3.DisableBucketLogging": R.DEFENSE_EVASION_LOGGING,
    "AWS.IAM.CreateUser": R.PERSISTENCE_USER,
    "AWS.IAM.Backdoor.User.Keys": R.PERSISTENCE_ACCESS_KEY,
    "AWS.CloudTrail.RootAccessKeyCreated": R.PERSISTENCE_ACCESS_KEY,
    "AWS.CloudTrail.LoginProfileCreatedOrModified": R.PERSISTENCE_LOGIN_PROFILE,
    "AWS.User.Login.Profile.Modified": R.PERSISTENCE_LOGIN_PROFILE,
    "AWS.IAM.BackdoorRole": R.PERSISTENCE_ROLE_TRUST,
    "AWS.IAM.CreateRole": R.PERSISTENCE_ROLE_TRUST,
    "AWS.IAM.AttachAdminUserPolicy": R.PRIVESC_POLICY,
    "AWS.IAM.AttachAdminRolePolicy": R.PRIVESC_POLICY,
    "AWS.IAM.PolicyModified": R.PRIVESC_POLICY,
    "AWS.Console.LoginWithoutMFA": R.CONSOLE_LOGIN_NO_MFA,
    "AWS.Console.RootLogin": R.ROOT_USAGE,
    "AWS.Root.Activity": R.ROOT_USAGE,
    "AWS.CloudTrail.UnauthorizedAPICall": R.ACCESS_DENIED,
    "AWS.IAMUser.ReconAccessDenied": R.ACCESS_DENIED,
    "AWS.STS.GetCallerIdentity.TruffleHog": R.RECON_CALLER_IDENTITY,
    "AWS.CloudTrail.Account.Discovery": R.RECON_ENUMERATION,
    "AWS.CloudTrail.Password.Policy.Discovery": R.RECON_ENUMERATION,
    "AWS.CloudTrail.SnapshotMadePublic": R.EXFIL_SHARING,
    "AWS.RDS.SnapshotShared": R.EXFIL_SHARING,
    "AWS.CloudTrail.AMIModifiedForPublicAccess": R.EXFIL_SHARING,
    "AWS.CloudTrail.ResourceMadePublic": R.EXFIL_SHARING,
    "AWS.S3.BucketPolicyModified": R.EXFIL_SHARING,
    "AWS.EC2.LaunchUnusualEC2Instances": R.IMPACT_COMPUTE,
    "AWS.S3.BucketDeleted": R.IMPACT_DESTRUCTION,
    "AWS.S3.DeleteObject": R.IMPACT_DESTRUCTION,
    "AWS.S3.DeleteObjects": R.IMPACT_DESTRUCTION,
    "AWS.RDS.InstanceDeletion": R.IMPACT_DESTRUCTION,
    "AWS.RDS.SnapshotDeleted": R.IMPACT_DESTRUCTION,
    "AWS.KMS.CustomerManagedKeyLoss": R.IMPACT_DESTRUCTION,
    "AWS.SecretsManager.RetrieveSecrets": R.CREDENTIAL_ACCESS_SECRETS,
    "AWS.SecretsManager.BatchRetrieveSecrets": R.CREDENTIAL_ACCESS_SECRETS,
    "AWS.SecretsManager.BatchRetrieveSecretsCatchAll": R.CREDENTIAL_ACCESS_SECRETS,
    "AWS.SSM.DecryptSSMParams": R.CREDENTIAL_ACCESS_SECRETS,
    "AWS.EC2.ManyPasswordReadAttempts": R.CREDENTIAL_ACCESS_SECRETS,
    "AWS.SSM.DistributedCommand": R.EXECUTION_REMOTE_COMMAND,
    "AWS.EC2.MultiInstanceConnect": R.EXECUTION_REMOTE_COMMAND,
    "AWS.Lambda.UpdateFunctionCode": R.EXECUTION_REMOTE_COMMAND,
    "AWS.EC2.Startup.Script.Change": R.EXECUTION_REMOTE_COMMAND,
}
# Floors just under the measured figures (0.71 and 0.88 when last measured; 0.68 and 0.84
# before removals of rights, narrowed trusts and Macie/Security Hub evasion were told
# apart), so a regression fails; they are not targets. Twelve of the false positives are
# failed attempts, which we tag on purpose (an attempt to stop CloudTrail is intent, and
# Panther's own compromised-root scenario has one) while Panther's rule tests do not;
# most of the rest are rules of ours that are broader by design (any policy attachment is
# privilege escalation, any GetCallerIdentity from outside is recon, any root call is
# root usage).
PRECISION_FLOOR = 0.70
RECALL_FLOOR = 0.86


def _panther_tests() -> list[dict[str, Any]]:
    lines = (PANTHER / "aws_cloudtrail_rule_tests.jsonl").read_text().splitlines()
    return [row for row in map(json.loads, lines) if row["rule_id"] in MAPPING]


def _confusion() -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = {}
    for row in _panther_tests():
        event = event_from_record(row["log"])
        tag_events([event], AnalysisConfig())
        fired = MAPPING[row["rule_id"]] in event.tags
        cell = ("t" if fired == row["expected_result"] else "f") + ("p" if fired else "n")
        table.setdefault(row["rule_id"], Counter())[cell] += 1
    return table


def _ratio(hit: int, miss: int) -> float:
    return hit / (hit + miss) if hit + miss else float("nan")


def test_precision_and_recall_on_panthers_rule_tests() -> None:
    table = _confusion()
    total: Counter[str] = Counter()
    print(f"\n{'Panther rule':<46} {'ours':<26} {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>3}")
    for rule, cells in sorted(table.items()):
        total.update(cells)
        print(
            f"{rule:<46} {MAPPING[rule].value:<26} "
            f"{cells['tp']:>3} {cells['fp']:>3} {cells['fn']:>3} {cells['tn']:>3}"
        )
    precision = _ratio(total["tp"], total["fp"])
    recall = _ratio(total["tp"], total["fn"])
    print(f"{'all':<73} {total['tp']:>3} {total['fp']:>3} {total['fn']:>3} {total['tn']:>3}")
    print(f"precision {precision:.2f}  recall {recall:.2f}  over {sum(total.values())} logs")
    assert sum(total.values()) > 100
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR


def test_every_mapped_panther_rule_has_tests_in_the_file() -> None:
    assert set(_confusion()) == set(MAPPING)
