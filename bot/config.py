"""All of keycheck's settings, from the environment or a .env file, in one place."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CsvList = Annotated[list[str], NoDecode]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Settings read once at start; env prefix KEYCHECK_, plus Slack's standard names."""

    model_config = SettingsConfigDict(
        env_prefix="KEYCHECK_", env_file=".env", extra="ignore", populate_by_name=True
    )

    slack_bot_token: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("SLACK_BOT_TOKEN", "KEYCHECK_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr = Field(
        SecretStr(""),
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "KEYCHECK_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("SLACK_APP_TOKEN", "KEYCHECK_SLACK_APP_TOKEN")
    )
    slack_api_url: str = Field(
        "https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "KEYCHECK_SLACK_API_URL"),
    )
    alerts_channel: str = "#security-alerts"

    responders: CsvList = Field(default_factory=list)
    responder_group: str = ""
    responder_cache_seconds: int = 60
    four_eyes: bool = False
    auto_contain: CsvList = Field(default_factory=list)

    store_url: str = "sqlite:///keycheck.sqlite3"

    aws_region: str = Field(
        "us-east-1", validation_alias=AliasChoices("KEYCHECK_AWS_REGION", "AWS_DEFAULT_REGION")
    )
    responder_role_name: str = ""
    responder_external_id: SecretStr = SecretStr("")
    sqs_queue_url: str = ""
    sns_topic_arns: CsvList = Field(default_factory=list)
    cloudtrail_log_group: str = ""
    known_cidrs: CsvList = Field(default_factory=list)
    approved_regions: CsvList = Field(default_factory=list)
    geoip_db: Path | None = None
    evidence_bucket: str = ""
    timeline_days: int = Field(30, ge=1, le=90)

    secret_arn: str = ""

    max_body_bytes: int = 256 * 1024
    # The IAM user tag naming a key's owner (a Slack user id or an email), who is asked
    # "Was this you?"; and whether "No, that wasn't me" contains the key at once.
    owner_tag: str = "owner"
    owner_denial_contains: bool = False
    port: int = Field(3000, validation_alias=AliasChoices("PORT", "KEYCHECK_PORT"))

    @field_validator(
        "responders",
        "auto_contain",
        "sns_topic_arns",
        "known_cidrs",
        "approved_regions",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("known_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return [str(ipaddress.ip_network(cidr, strict=False)) for cidr in value]

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def with_secrets(self, values: dict[str, str]) -> Settings:
        """These settings overlaid with a secret's values, named as their environment variables."""
        fields = {
            "SLACK_BOT_TOKEN": "slack_bot_token",
            "SLACK_SIGNING_SECRET": "slack_signing_secret",
            "SLACK_APP_TOKEN": "slack_app_token",
            "KEYCHECK_RESPONDER_EXTERNAL_ID": "responder_external_id",
        }
        update = {fields[k]: SecretStr(v) for k, v in values.items() if k in fields}
        return self.model_copy(update=update)

    def known_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The known CIDRs as networks, for membership tests."""
        return [ipaddress.ip_network(cidr) for cidr in self.known_cidrs]
