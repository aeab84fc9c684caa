"""Store fixtures: every shared test runs on SQLite and on DynamoDB (moto, in-process)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import boto3
import pytest
from moto import mock_aws

from bot.store import SqliteStore, Store, open_store
from bot.store.dynamodb import DynamoStore
from tests.unit.store.support import (
    REGION,
    TABLE,
    RoleClient,
    allowed_actions,
    create_table_as_deployed,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@pytest.fixture(scope="session")
def _client() -> DynamoDBClient:
    """Built once (a client costs 0.1 s); moto intercepts it while a mock is active."""
    return boto3.client(
        "dynamodb", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def dynamodb(_client: DynamoDBClient) -> Iterator[Callable[[], RoleClient]]:
    """Clients onto one fresh moto table, one per replica, sharing one request lock."""
    lock, allowed = threading.Lock(), allowed_actions()
    with mock_aws():
        create_table_as_deployed(_client)
        yield lambda: RoleClient(_client, lock, allowed)


@pytest.fixture
def replica(dynamodb: Callable[[], RoleClient]) -> Callable[[], DynamoStore]:
    """A new DynamoStore on the shared table: what another replica of the bot would open."""

    def open_replica() -> DynamoStore:
        store = open_store(f"dynamodb://{TABLE}", dynamodb=cast("DynamoDBClient", dynamodb()))
        assert isinstance(store, DynamoStore)
        return store

    return open_replica


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        sqlite = SqliteStore(tmp_path / "state" / "keycheck.sqlite3")
        yield sqlite
        sqlite.close()
        return
    opened = request.getfixturevalue("replica")()
    yield opened
    opened.close()
