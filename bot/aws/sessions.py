"""boto3 sessions: the bot's own, and the responder role in each key's account."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from bot.aws.retry import aws_retry
from bot.aws.sts import caller_account
from bot.errors import AccountUnreachable

# tenacity owns retries; botocore's would multiply with them.
CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30
)

NO_CREDENTIALS = (
    "No AWS credentials were found. Give them the way boto3 reads them: AWS_PROFILE (a "
    "profile in ~/.aws/config, e.g. after `aws sso login`), AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY in the environment, or run where an instance or task role is "
    "attached."
)


def unreachable(error: BotoCoreError) -> str:
    """Why AWS could not be asked, in words a person can act on."""
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return NO_CREDENTIALS
    return f"AWS could not be reached ({type(error).__name__}); try again."


class ForeignAccount(AccountUnreachable):
    """A principal in one account, and an IAM client that acts in another: nothing is done."""


class Sessions:
    """Hands out clients for the bot's account or, through the responder role, any other."""

    def __init__(
        self,
        base: boto3.Session | None = None,
        *,
        region: str = "us-east-1",
        role_name: str = "",
        external_id: str = "",
    ) -> None:
        self.base = base or boto3.Session(region_name=region)
        self.region = region
        self.role_name = role_name
        self._external_id = external_id
        self._cache: dict[str, tuple[boto3.Session, datetime]] = {}
        self._clients: dict[tuple[int, str, str], Any] = {}
        self._acting: dict[str, str] = {}
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()

    def client(self, service: str, account_id: str = "", region: str = "") -> Any:
        """A client in the key's account (assuming the responder role when one is set)."""
        return self._client(self.session(account_id), service, region or self.region)

    def own_client(self, service: str, region: str = "") -> Any:
        """A client in the bot's own account, for SQS, STS and the alarm lookups."""
        return self._client(self.base, service, region or self.region)

    def acting_account(self, account_id: str = "") -> str:
        """The account `client(…, account_id)` really acts in, as STS says (asked once).

        Without a responder role every client is the bot's own, whatever account is asked
        for; with one, it is the account whose role was assumed.
        """
        session = self.session(account_id)
        which = account_id if session is not self.base else ""
        with self._client_lock:
            known = self._acting.get(which)
        if known:
            return known
        account = caller_account(self._client(session, "sts", self.region))
        with self._client_lock:
            self._acting[which] = account
        return account

    def require_acting_in(self, account_id: str, principal: str, principal_account: str) -> None:
        """Refuse when `principal` is not in the account a client for `account_id` acts in.

        A role or user is found by name, and names repeat across accounts: resolved or
        changed in the wrong account, the leaked key's principal would be someone else's.
        """
        acting = self.acting_account(account_id)
        if principal_account and principal_account != acting:
            raise ForeignAccount(
                f"{principal} is in account {principal_account}, but keycheck's IAM access "
                f"acts in account {acting}: it needs its responder role in "
                f"{principal_account} (KEYCHECK_RESPONDER_ROLE_NAME) to look at or change it. "
                "Nothing was changed."
            )

    def _client(self, session: boto3.Session, service: str, region: str) -> Any:
        """Clients are costly to build and thread-safe to share; a Session is not, so lock."""
        key = (id(session), service, region)
        with self._client_lock:
            if key not in self._clients:
                self._clients[key] = session.client(
                    service,  # type: ignore[call-overload]
                    region_name=region,
                    config=CLIENT_CONFIG,
                )
            return self._clients[key]

    def session(self, account_id: str = "") -> boto3.Session:
        if not self.role_name or not account_id:
            return self.base
        with self._lock:
            cached = self._cache.get(account_id)
            if cached and cached[1] - datetime.now(UTC) > timedelta(minutes=5):
                return cached[0]
            session, expires = self._assume(account_id)
            self._cache[account_id] = (session, expires)
            return session

    def _assume(self, account_id: str) -> tuple[boto3.Session, datetime]:
        sts = self.base.client("sts", region_name=self.region, config=CLIENT_CONFIG)
        role_arn = f"arn:aws:iam::{account_id}:role/{self.role_name}"
        try:
            creds = assume_role(sts, role_arn, self._external_id)
        except (ClientError, BotoCoreError) as error:
            raise AccountUnreachable(
                f"Cannot reach account {account_id}: assuming {role_arn} failed "
                f"({type(error).__name__}). Is the responder role deployed there?"
            ) from error
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.region,
        )
        return session, creds["Expiration"]


@aws_retry()
def assume_role(sts: Any, role_arn: str, external_id: str) -> dict[str, Any]:
    """AssumeRole into the responder role; the session name says who is acting."""
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "keycheck-responder"}
    if external_id:
        kwargs["ExternalId"] = external_id
    creds: dict[str, Any] = sts.assume_role(**kwargs)["Credentials"]
    return creds
