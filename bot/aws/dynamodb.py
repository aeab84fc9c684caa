"""DynamoDB item operations for the store, in plain Python values, each retried on throttling."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from bot.aws.retry import aws_retry
from bot.aws.sessions import CLIENT_CONFIG

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        KeysAndAttributesTypeDef,
        PutTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

Plain = dict[str, Any]
Wire = dict[str, "AttributeValueTypeDef"]

# BatchGetItem takes at most 100 keys, and may hand some back unread under load.
BATCH_GET_MAX: Final = 100
UNPROCESSED_ROUNDS: Final = 8

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class TransactionCancelled(Exception):
    """A TransactWriteItems that wrote nothing; `reasons` has one code per item, in order."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons


def to_wire(item: Mapping[str, Any]) -> Wire:
    """Plain values to DynamoDB's typed form; floats go through Decimal, as DynamoDB requires."""
    return {name: _serializer.serialize(_decimals(value)) for name, value in item.items()}


def from_wire(item: Mapping[str, AttributeValueTypeDef]) -> Plain:
    """DynamoDB's typed form back to plain values (numbers come back as Decimal)."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def _failed_condition(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _expression(
    condition: str | None, names: Mapping[str, str] | None, values: Plain | None
) -> dict[str, Any]:
    """The optional expression arguments, omitted when empty: DynamoDB rejects empty maps."""
    args: dict[str, Any] = {}
    if condition:
        args["ConditionExpression"] = condition
    if names:
        args["ExpressionAttributeNames"] = dict(names)
    if values:
        args["ExpressionAttributeValues"] = to_wire(values)
    return args


@aws_retry()
def describe_key_schema(client: DynamoDBClient, table: str) -> dict[str, str]:
    """The table's key attributes by role (HASH, RANGE), to refuse a table keyed otherwise."""
    schema = client.describe_table(TableName=table)["Table"].get("KeySchema", [])
    return {key["KeyType"]: key["AttributeName"] for key in schema}


@aws_retry()
def get_item(client: DynamoDBClient, table: str, key: Plain) -> Plain | None:
    """A strongly consistent read: a replica must see what another one just committed."""
    response = client.get_item(TableName=table, Key=to_wire(key), ConsistentRead=True)
    item = response.get("Item")
    return from_wire(item) if item is not None else None


@aws_retry()
def put_item(
    client: DynamoDBClient,
    table: str,
    item: Plain,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Plain | None = None,
) -> bool:
    """Write an item; False (nothing written) when its condition did not hold."""
    try:
        client.put_item(
            TableName=table, Item=to_wire(item), **_expression(condition, names, values)
        )
    except ClientError as error:
        if _failed_condition(error):
            return False
        raise
    return True


@aws_retry()
def update_item(
    client: DynamoDBClient,
    table: str,
    key: Plain,
    update: str,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Plain | None = None,
) -> Plain | None:
    """Apply an update expression; the item's new attributes, or None when the condition failed."""
    try:
        response = client.update_item(
            TableName=table,
            Key=to_wire(key),
            UpdateExpression=update,
            ReturnValues="ALL_NEW",
            **_expression(condition, names, values),
        )
    except ClientError as error:
        if _failed_condition(error):
            return None
        raise
    return from_wire(response.get("Attributes", {}))


@aws_retry()
def delete_item(
    client: DynamoDBClient,
    table: str,
    key: Plain,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Plain | None = None,
) -> bool:
    """Delete an item (absent is fine); False when its condition did not hold."""
    try:
        client.delete_item(
            TableName=table, Key=to_wire(key), **_expression(condition, names, values)
        )
    except ClientError as error:
        if _failed_condition(error):
            return False
        raise
    return True


def query(client: DynamoDBClient, table: str, pk: str, *, sk_prefix: str = "") -> Iterator[Plain]:
    """Every item of one partition (optionally one sort-key prefix), in sort-key order."""
    names = {"#pk": "pk", "#sk": "sk"} if sk_prefix else {"#pk": "pk"}
    values: Plain = {":pk": pk, ":prefix": sk_prefix} if sk_prefix else {":pk": pk}
    condition = "#pk = :pk AND begins_with(#sk, :prefix)" if sk_prefix else "#pk = :pk"
    args: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ConsistentRead": True,
        **_expression(None, names, values),
    }
    while True:
        items, last = _query_page(client, args)
        yield from items
        if last is None:
            return
        args["ExclusiveStartKey"] = last


@aws_retry()
def _query_page(client: DynamoDBClient, args: dict[str, Any]) -> tuple[list[Plain], Wire | None]:
    """One page, retried alone, so a throttle late in a long query does not restart it."""
    response = client.query(**args)
    return [from_wire(item) for item in response["Items"]], response.get("LastEvaluatedKey")


def batch_get(client: DynamoDBClient, table: str, keys: Sequence[Plain]) -> list[Plain]:
    """Strongly consistent reads of many items, any order; absent items are simply missing."""
    unique = list({(key["pk"], key["sk"]): key for key in keys}.values())
    found: list[Plain] = []
    for start in range(0, len(unique), BATCH_GET_MAX):
        found.extend(_batch_get_all(client, table, unique[start : start + BATCH_GET_MAX]))
    return found


def _batch_get_all(client: DynamoDBClient, table: str, keys: list[Plain]) -> list[Plain]:
    """Ask again for what DynamoDB left unprocessed, backing off: a partial answer is normal."""
    request: KeysAndAttributesTypeDef = {
        "Keys": [to_wire(key) for key in keys],
        "ConsistentRead": True,
    }
    found: list[Plain] = []
    for round_ in range(UNPROCESSED_ROUNDS):
        items, unprocessed = _batch_get_page(client, table, request)
        found.extend(items)
        if unprocessed is None:
            return found
        request = unprocessed
        time.sleep(min(1.0, 0.05 * 2**round_))
    raise RuntimeError(f"DynamoDB left {len(request['Keys'])} keys unread after retries")


@aws_retry()
def _batch_get_page(
    client: DynamoDBClient, table: str, request: KeysAndAttributesTypeDef
) -> tuple[list[Plain], KeysAndAttributesTypeDef | None]:
    response = client.batch_get_item(RequestItems={table: request})
    items = [from_wire(item) for item in response.get("Responses", {}).get(table, [])]
    unprocessed = response.get("UnprocessedKeys", {}).get(table)
    if not unprocessed or not unprocessed.get("Keys"):
        return items, None
    return items, cast("KeysAndAttributesTypeDef", unprocessed)


@aws_retry()
def transact_write(client: DynamoDBClient, items: Sequence[TransactWriteItemTypeDef]) -> None:
    """All of the writes or none; TransactionCancelled says which condition stopped it."""
    try:
        client.transact_write_items(TransactItems=list(items))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons", [])
        raise TransactionCancelled([r.get("Code", "None") for r in reasons]) from error


def put_op(
    table: str,
    item: Plain,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Plain | None = None,
) -> TransactWriteItemTypeDef:
    """A Put for transact_write."""
    put = {"TableName": table, "Item": to_wire(item), **_expression(condition, names, values)}
    return {"Put": cast("PutTypeDef", put)}


def update_op(
    table: str,
    key: Plain,
    update: str,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Plain | None = None,
) -> TransactWriteItemTypeDef:
    """An Update for transact_write."""
    op = {
        "TableName": table,
        "Key": to_wire(key),
        "UpdateExpression": update,
        **_expression(condition, names, values),
    }
    return {"Update": cast("UpdateTypeDef", op)}


def client(region: str = "") -> DynamoDBClient:
    """The store's client: the given region, else KEYCHECK_AWS_REGION, else boto3's own chain."""
    session = boto3.Session()
    name = region or os.environ.get("KEYCHECK_AWS_REGION", "") or session.region_name
    if not name:
        raise ValueError(
            "No AWS region for the DynamoDB store: set AWS_REGION or KEYCHECK_AWS_REGION."
        )
    return session.client("dynamodb", region_name=name, config=CLIENT_CONFIG)
