"""Settings for a deployed keycheck: the environment, then the secret it names."""

from __future__ import annotations

import boto3

from bot.aws.secrets import secret_json
from bot.aws.sessions import CLIENT_CONFIG
from bot.config import Settings


def load_settings() -> Settings:
    """Environment first; `KEYCHECK_SECRET_ARN` fills the secrets from Secrets Manager."""
    settings = Settings()
    if not settings.secret_arn:
        return settings
    region = settings.secret_arn.split(":")[3] or settings.aws_region
    client = boto3.Session().client("secretsmanager", region_name=region, config=CLIENT_CONFIG)
    return settings.with_secrets(secret_json(client, settings.secret_arn))
