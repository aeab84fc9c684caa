"""STS: which account an access key belongs to, and which account a session acts in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.aws.retry import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_sts import STSClient


@aws_retry()
def get_access_key_info(sts: STSClient, key_id: str) -> str:
    """The owning account of any AKIA/ASIA key, asked from the bot's own account.

    GetAccessKeyInfo answers for keys of any account, which is why it runs with the bot's
    own credentials before any responder role is assumed.
    """
    return sts.get_access_key_info(AccessKeyId=key_id)["Account"]


@aws_retry()
def caller_account(sts: STSClient) -> str:
    """The account these credentials act in: where every IAM call made with them lands.

    A role or user name means nothing without it: the same name exists in many accounts.
    """
    return sts.get_caller_identity()["Account"]
