"""STS GetAccessKeyInfo: the owning account of a key, asked from the bot's own account."""

from __future__ import annotations

import boto3

from bot.aws.sts import get_access_key_info
from tests.support.aws import seed_leaked_user

OTHER_ACCOUNT = "210987654321"


def test_a_key_of_another_account_is_traced_to_that_account(aws: boto3.Session) -> None:
    sts = aws.client("sts")
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/keycheck-responder",
        RoleSessionName="test",
    )["Credentials"]
    other = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    _, key = seed_leaked_user(other.client("iam"))
    assert get_access_key_info(sts, key["AccessKeyId"]) == OTHER_ACCOUNT


def test_a_key_of_our_own_account(aws: boto3.Session) -> None:
    _, key = seed_leaked_user(aws.client("iam"))
    assert get_access_key_info(aws.client("sts"), key["AccessKeyId"]) == "123456789012"
