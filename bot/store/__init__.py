"""Durable state behind one protocol; SQLite by default, DynamoDB for several replicas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.base import AlertOutcome, Store, UnreadableAlert, lease_owner
from bot.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def open_store(url: str, *, dynamodb: DynamoDBClient | None = None, region: str = "") -> Store:
    """Open the store a settings URL names.

    `sqlite:///path` (or `sqlite:///:memory:`) for one process; `dynamodb://TABLE` for
    several replicas or Lambda, in `region`, else KEYCHECK_AWS_REGION, else the region boto3
    resolves (AWS_REGION, AWS_DEFAULT_REGION, the profile). Tests pass their own `dynamodb`
    client.
    """
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith("dynamodb://"):
        from bot.store.dynamodb import DynamoStore  # boto3 only for those who use it

        return DynamoStore.open(url.removeprefix("dynamodb://"), client=dynamodb, region=region)
    raise ValueError(f"unsupported store URL scheme: {url.split(':', 1)[0]!r}")


__all__ = [
    "AlertOutcome",
    "SqliteStore",
    "Store",
    "UnreadableAlert",
    "lease_owner",
    "open_store",
]
