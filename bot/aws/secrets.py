"""Secrets Manager: the Slack secrets and the external id, kept out of the environment."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bot.aws.retry import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@aws_retry()
def secret_json(client: SecretsManagerClient, secret_id: str) -> dict[str, str]:
    """A secret holding a JSON object of names to values, as infra/bot.yaml stores it."""
    value = client.get_secret_value(SecretId=secret_id)["SecretString"]
    loaded = json.loads(value)
    if not isinstance(loaded, dict):
        raise ValueError(f"secret {secret_id} is not a JSON object")
    return {str(name): str(item) for name, item in loaded.items()}
