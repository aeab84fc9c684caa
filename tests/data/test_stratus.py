"""Every Stratus Red Team detonation log gets the tags its technique implies.

Logs: DataDog/stratus-red-team docs/detonation-logs (Apache-2.0). They are anonymised:
regions like "ap-isob-east-1r", addresses like "255.090.254.5", keys with every digit.
The analysis must tag them right and never trip over them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.analysis.geo import GeoIP
from bot.analysis.networks import parse_networks
from bot.analysis.pipeline import analyze
from bot.analysis.records import event_from_record
from bot.analysis.tagging import AnalysisConfig
from bot.models import RuleId as R
from tests.conftest import SHARED_DATA

LOGS = SHARED_DATA / "stratus-red-team-detonation-logs"

EXPECTED: dict[str, set[R]] = {
    "credential-access.ec2-get-password-data": {
        R.CREDENTIAL_ACCESS_SECRETS,
        R.ACCESS_DENIED,
        R.LATERAL_ASSUME_ROLE,
    },
    "credential-access.ec2-steal-instance-credentials": {
        R.RECON_CALLER_IDENTITY,
        R.EXECUTION_REMOTE_COMMAND,
    },
    "credential-access.secretsmanager-batch-retrieve-secrets": {R.CREDENTIAL_ACCESS_SECRETS},
    "credential-access.secretsmanager-retrieve-secrets": {R.CREDENTIAL_ACCESS_SECRETS},
    "credential-access.ssm-retrieve-securestring-parameters": {R.CREDENTIAL_ACCESS_SECRETS},
    "defense-evasion.cloudtrail-delete": {R.DEFENSE_EVASION_LOGGING},
    "defense-evasion.cloudtrail-event-selectors": {R.DEFENSE_EVASION_LOGGING},
    "defense-evasion.cloudtrail-stop": {R.DEFENSE_EVASION_LOGGING},
    "defense-evasion.dns-delete-logs": {R.DEFENSE_EVASION_LOGGING},
    "defense-evasion.organizations-leave": {
        R.DEFENSE_EVASION_LOGGING,
        R.ACCESS_DENIED,
        R.LATERAL_ASSUME_ROLE,
    },
    "defense-evasion.vpc-remove-flow-logs": {R.DEFENSE_EVASION_LOGGING},
    "discovery.ec2-download-user-data": {
        R.CREDENTIAL_ACCESS_SECRETS,
        R.ACCESS_DENIED,
        R.LATERAL_ASSUME_ROLE,
    },
    "execution.ec2-launch-unusual-instances": {
        R.IMPACT_COMPUTE,
        R.ACCESS_DENIED,
        R.LATERAL_ASSUME_ROLE,
    },
    # Stop, replace the user data, start: the restart is also a (re)start of compute.
    "execution.ec2-user-data": {R.EXECUTION_REMOTE_COMMAND, R.IMPACT_COMPUTE},
    "execution.ssm-send-command": {R.EXECUTION_REMOTE_COMMAND},
    "execution.ssm-start-session": {R.EXECUTION_REMOTE_COMMAND},
    "exfiltration.ec2-security-group-open-port-22-ingress": {R.EXFIL_SHARING},
    "exfiltration.ec2-share-ami": {R.EXFIL_SHARING},
    "exfiltration.ec2-share-ebs-snapshot": {R.EXFIL_SHARING},
    "exfiltration.rds-share-snapshot": {R.EXFIL_SHARING},
    "impact.bedrock-invoke-model": {R.IMPACT_COMPUTE},
    "initial-access.console-login-without-mfa": {R.CONSOLE_LOGIN_NO_MFA},
    "lateral-movement.ec2-instance-connect": {R.EXECUTION_REMOTE_COMMAND},
    "lateral-movement.ec2-serial-console-send-ssh-public-key": {R.EXECUTION_REMOTE_COMMAND},
    "persistence.iam-backdoor-role": {R.PERSISTENCE_ROLE_TRUST},
    "persistence.iam-backdoor-user": {R.PERSISTENCE_ACCESS_KEY},
    "persistence.iam-create-admin-user": {
        R.PERSISTENCE_USER,
        R.PERSISTENCE_ACCESS_KEY,
        R.PRIVESC_POLICY,
    },
    "persistence.iam-create-backdoor-role": {R.PERSISTENCE_ROLE_TRUST, R.PRIVESC_POLICY},
    # Stratus checks the key first, and its cleanup's DeleteLoginProfile is logged (failed).
    "persistence.iam-create-user-login-profile": {
        R.PERSISTENCE_LOGIN_PROFILE,
        R.RECON_CALLER_IDENTITY,
        R.IMPACT_DESTRUCTION,
    },
    "persistence.lambda-backdoor-function": {R.PRIVESC_POLICY},
    "persistence.lambda-layer-extension": {R.EXECUTION_REMOTE_COMMAND},
    "persistence.lambda-overwrite-code": {R.EXECUTION_REMOTE_COMMAND},
    "persistence.rolesanywhere-create-trust-anchor": {R.PERSISTENCE_ROLE_TRUST},
    "persistence.sts-federation-token": {R.PERSISTENCE_ACCESS_KEY, R.RECON_CALLER_IDENTITY},
    "privilege-escalation.iam-update-user-login-profile": {R.PERSISTENCE_LOGIN_PROFILE},
}


def _load(technique: str) -> list[dict[str, object]]:
    records: list[dict[str, object]] = json.loads((LOGS / f"aws.{technique}.json").read_text())
    return records


def test_the_table_covers_every_technique_file() -> None:
    on_disk = {p.name.removeprefix("aws.").removesuffix(".json") for p in LOGS.glob("aws.*.json")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("technique", sorted(EXPECTED))
def test_each_technique_gets_the_tags_it_implies(technique: str) -> None:
    result = analyze(map(event_from_record, _load(technique)), AnalysisConfig())
    assert {tag for e in result.events for tag in e.tags} == EXPECTED[technique]
    assert {finding.rule for finding in result.findings} == EXPECTED[technique]


def test_the_federation_token_chain_is_followed_to_the_calls_it_made() -> None:
    result = analyze(
        map(event_from_record, _load("persistence.sts-federation-token")),
        AnalysisConfig(),
        keys=["AKIA6V1GNZTT65XQH36M"],
    )
    assert [(k.access_key_id, k.derived_from, k.via) for k in result.keys] == [
        ("ASIASTJKC5GCM7ZE6LUP", "AKIA6V1GNZTT65XQH36M", "GetFederationToken")
    ]
    probe = next(e for e in result.events if e.event_name == "GetCallerIdentity")
    assert probe.chain == ["AKIA6V1GNZTT65XQH36M", "ASIASTJKC5GCM7ZE6LUP"]
    assert R.RECON_CALLER_IDENTITY in probe.tags


def test_assume_role_chains_in_the_logs_are_followed() -> None:
    result = analyze(
        map(event_from_record, _load("credential-access.ec2-get-password-data")), AnalysisConfig()
    )
    minted = {k.access_key_id for k in result.keys}
    assert "ASIANQQHHS551LWULIWD" in minted
    denied = [e for e in result.events if e.event_name == "GetPasswordData"]
    assert denied
    assert all(e.chain[-1] == "ASIANQQHHS551LWULIWD" and len(e.chain) == 2 for e in denied)


def test_every_log_with_every_rule_switched_on_neither_crashes_nor_invents_places(
    geoip: GeoIP,
) -> None:
    config = AnalysisConfig(
        known_networks=tuple(parse_networks(["10.0.0.0/8"])),
        approved_regions=frozenset({"us-east-1"}),
        locator=geoip,
    )
    records = [
        r for path in sorted(LOGS.glob("*.json")) for r in json.loads(Path(path).read_text())
    ]
    result = analyze(map(event_from_record, records), config)
    assert len(result.events) == len(records) == 310
    assert all(R.REGION_UNAPPROVED in e.tags for e in result.events if e.region.endswith("r"))
    assert not any(R.TRAVEL_IMPOSSIBLE in e.tags for e in result.events)
    unreadable = {ip.ip for ip in result.ips if ip.kind == "unreadable"}
    assert "255.090.254.5" in unreadable
