"""`keycheck check`: the key report in a terminal, from moto, in text or JSON."""

from __future__ import annotations

import boto3
import pytest

from bot.cli.main import main
from bot.domain.policies import deny_all, policy_json
from bot.models import KeyReport
from tests.support.aws import seed_leaked_user


def test_text_report(aws: boto3.Session, capsys: pytest.CaptureFixture[str]) -> None:
    iam = aws.client("iam")
    _, key = seed_leaked_user(iam)
    iam.put_user_policy(
        UserName="app-integration-user",
        PolicyName="keycheck-deny-all",
        PolicyDocument=policy_json(deny_all()),
    )
    assert main(["check", key["AccessKeyId"]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"Access key  {key['AccessKeyId']} (long-term)" in out
    assert "Owner       IAM user app-integration-user" in out
    assert "Status      Active" in out
    assert "Inline      keycheck-deny-all" in out
    assert "!           keycheck-deny-all is in place" in out
    assert key["SecretAccessKey"] not in "\n".join(out)


def test_json_report(aws: boto3.Session, capsys: pytest.CaptureFixture[str]) -> None:
    _, key = seed_leaked_user(aws.client("iam"))
    assert main(["check", key["AccessKeyId"], "--format", "json"]) == 0
    report = KeyReport.model_validate_json(capsys.readouterr().out)
    assert (report.account_id, report.user_name) == ("123456789012", "app-integration-user")


def test_a_key_aws_does_not_know_exits_1_with_the_reason(
    aws: boto3.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "AKIAQWERTYUIOPASDFGH"]) == 1
    assert "Error       Access key AKIAQWERTYUIOPASDFGH does not exist" in capsys.readouterr().out


def test_a_malformed_id_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "AKIA-not-a-key"]) == 2
    assert "is not an access key id" in capsys.readouterr().err
