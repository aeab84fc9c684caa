"""Alerts, actions, thread races and the table as deployed, for the store tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from bot.aws import dynamodb as ddb
from bot.models import ActionKind, ActionRecord, Alert, AlertKind, TimelineEvent
from bot.store import SqliteStore
from bot.store.dynamodb import DynamoStore, claim_key
from tests.infra.cfn import INFRA, load

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEY = "AKIAQWERTYUIOPASDFGH"
ACCOUNT = "123456789012"
T0 = datetime(2026, 5, 21, 12, 11, 58, tzinfo=UTC)

R = TypeVar("R")


def alert(dedup: str, *, key: str = KEY, account: str = ACCOUNT, **kw: Any) -> Alert:
    fields: dict[str, Any] = {
        "dedup_key": dedup,
        "kind": AlertKind.CLOUDTRAIL_API_CALL,
        "title": "GetCallerIdentity from outside known networks",
        "account_id": account,
        "access_key_id": key,
        "occurred_at": T0,
        "received_at": T0,
    }
    return Alert.model_validate(fields | kw)


def record(n: int, **kw: Any) -> ActionRecord:
    fields: dict[str, Any] = {
        "id": f"act-{n}",
        "idempotency_key": f"k{n}",
        "action": ActionKind.DEACTIVATE_KEY,
        "actor": "U0ALICE",
        "target": KEY,
        "account_id": ACCOUNT,
        "requested_at": T0 + timedelta(seconds=n),
    }
    return ActionRecord.model_validate(fields | kw)


def race(n: int, work: Callable[[int], R]) -> list[R]:
    """Run work(0..n-1) in n threads released together; results in order, errors re-raised."""
    barrier = threading.Barrier(n)
    results: dict[int, R] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [results[i] for i in range(n)]


TABLE = "keycheck-test"
REGION = "eu-west-1"
# TransactWriteItems has no IAM action of its own: each of its items needs its own.
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@cache
def bot_template() -> dict[str, Any]:
    return load(INFRA / "bot.yaml")


def create_table_as_deployed(client: DynamoDBClient) -> None:
    """The StoreTable of infra/bot.yaml, key schema and indexes as CloudFormation makes it."""
    props = bot_template()["Resources"]["StoreTable"]["Properties"]
    wanted = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
    client.create_table(TableName=TABLE, **{k: props[k] for k in wanted if k in props})


def allowed_actions() -> set[str]:
    """What the bot role may do on the table (the "Store" statement of infra/bot.yaml)."""
    policy = bot_template()["Resources"]["BotRole"]["Properties"]["Policies"][0]
    store = next(s for s in policy["PolicyDocument"]["Statement"] if s.get("Sid") == "Store")
    return {action.removeprefix("dynamodb:") for action in store["Action"]}


class RoleClient:
    """The bot's view of DynamoDB, for tests: what its IAM role allows, one request at a time.

    Each call holds one lock, as each request is atomic on DynamoDB. moto in-process checks
    a condition and then writes as separate Python steps, and rolls a failed transaction
    back by restoring a copy of the whole table; a thread switch in between would let two
    conditional writes both pass, or undo another thread's write — races real DynamoDB
    never has. Threads still interleave between requests, which is where the store's own
    races are (read, then a conditional write). What moto cannot show: TransactionConflict
    cancellations, throttling, or latency that widens those windows; `fail_next` injects
    the first two so the store's answers to them are tested.

    A call the role does not allow fails here as it would in production (AccessDenied);
    `fail_next` makes one call fail as DynamoDB sometimes does.
    """

    def __init__(self, client: DynamoDBClient, lock: threading.Lock, allowed: set[str]) -> None:
        self._client = client
        self._lock = lock
        self._allowed = allowed
        self._faults: dict[str, tuple[ClientError, bool]] = {}
        self.calls: list[str] = []

    def fail_next(
        self, action: str, code: str, *, applied: bool = False, reasons: Sequence[str] = ()
    ) -> None:
        """The next `action` fails with `code`; `applied`: after taking effect (answer lost)."""
        status = 500 if code == "InternalServerError" else 400
        response: dict[str, Any] = {
            "Error": {"Code": code, "Message": f"{code} (injected by the test)"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        if reasons:
            response["CancellationReasons"] = [{"Code": reason} for reason in reasons]
        self._faults[action] = (ClientError(response, action), applied)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method) or name in {"close", "can_paginate"}:
            return method
        action = "".join(word.title() for word in name.split("_"))

        def call(**kwargs: Any) -> Any:
            for needed in self._needs(action, kwargs):
                assert needed in self._allowed, f"the bot role does not allow dynamodb:{needed}"
            with self._lock:
                self.calls.append(action)
                error, applied = self._faults.pop(action, (None, False))
                if error is not None and not applied:
                    raise error
                result = method(**kwargs)
            if error is not None:
                raise error
            return result

        return call

    @staticmethod
    def _needs(action: str, kwargs: dict[str, Any]) -> list[str]:
        if action != "TransactWriteItems":
            return [action]
        return [TRANSACT_ACTIONS[op] for item in kwargs["TransactItems"] for op in item]


def deep_alert(dedup: str, levels: int = 250) -> Alert:
    """An alert nested `levels` deep: pydantic writes its JSON but refuses to read it back."""
    parameters: dict[str, Any] = {}
    for _ in range(levels):
        parameters = {"a": parameters}
    event = TimelineEvent(event_id="e1", time=T0, request_parameters=parameters)
    return alert(dedup, events=[event])


def spoil(store: object, dedup: str) -> None:
    """Overwrite a stored alert with JSON the reader refuses, as an older release could write."""
    data = deep_alert(dedup).model_dump_json()
    if isinstance(store, SqliteStore):
        with store._tx() as db:
            db.execute("UPDATE alerts SET data = ? WHERE dedup_key = ?", (data, dedup))
        return
    assert isinstance(store, DynamoStore)
    claim = store._get(claim_key(dedup))
    assert claim is not None
    item = {"pk": f"INC#{claim['incident_id']}", "sk": claim["alert_sk"], "data": data}
    ddb.put_item(store._client, store._table, item)
