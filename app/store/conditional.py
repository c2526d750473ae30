"""Conditional writes: the pieces every store builds its conditions from, and reads
the failures back with.

A failed UpdateItem condition comes back with the item as it was
(`ReturnValuesOnConditionCheckFailure=ALL_OLD`), so a store can say *why* it failed
(gone, stale version, wrong status) without a second read. A cancelled transaction
says the same per item (`failed_conditions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.errors import StaleVersion
from app.store.items import Item, Value, change_keys, n, s, ts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef


class ConditionFailed(Exception):
    """The write's condition did not hold; `old` is the item as it was (None: absent)."""

    def __init__(self, old: Item | None) -> None:
        super().__init__("condition failed")
        self.old = old


class Update:
    """One UpdateItem's expressions and placeholders, built clause by clause. Every
    update bumps `version`, stamps `updatedAt` and moves the record in the change feed
    (GSI2, see `app.store.keys`); conditions are joined with AND."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.names: dict[str, str] = {"#version": "version"}
        self.values: dict[str, Value] = {":one": n(1), ":now": ts(now)}
        self.sets = ["#version = #version + :one", "updatedAt = :now"]
        self.removes: list[str] = []
        self.conditions: list[str] = []

    def set(self, attribute: str, value: Value) -> Update:
        # A placeholder for every name: several (TIMEZONE, STATUS, NAME) are reserved words.
        self.names[f"#{attribute}"] = attribute
        self.values[f":{attribute}"] = value
        self.sets.append(f"#{attribute} = :{attribute}")
        return self

    def remove(self, attribute: str) -> Update:
        self.names[f"#{attribute}"] = attribute
        self.removes.append(f"#{attribute}")
        return self

    def require_item(self) -> Update:
        self.conditions.append("attribute_exists(SK)")
        return self

    def require_version(self, expected: int) -> Update:
        self.values[":expected"] = n(expected)
        self.conditions.append("#version = :expected")
        return self

    def require_status(self, statuses: Sequence[str]) -> Update:
        self.names["#status"] = "status"
        self.values.update(status_values(statuses))
        self.conditions.append(f"#status IN ({status_placeholders(statuses)})")
        return self

    def params(self, key: Item) -> dict[str, Any]:
        """UpdateExpression, ConditionExpression and their placeholders, for UpdateItem
        of the item at `key`."""
        values = {**self.values}
        for name, value in change_keys(key["PK"]["S"], key["SK"]["S"], self.now).items():
            values[f":{name}"] = value
        expression = "SET " + ", ".join([*self.sets, "GSI2PK = :GSI2PK", "GSI2SK = :GSI2SK"])
        if self.removes:
            expression += " REMOVE " + ", ".join(self.removes)
        params: dict[str, Any] = {
            "UpdateExpression": expression,
            "ExpressionAttributeNames": self.names,
            "ExpressionAttributeValues": values,
        }
        if self.conditions:
            params["ConditionExpression"] = " AND ".join(self.conditions)
        return params

    def in_transaction(self, table_name: str, key: Item) -> TransactWriteItemTypeDef:
        update = {"TableName": table_name, "Key": key, **self.params(key)}
        return {"Update": cast("UpdateTypeDef", update)}


def update_or_old(client: DynamoDBClient, table_name: str, key: Item, update: Update) -> Item:
    """UpdateItem returning the new item, or raising ConditionFailed with the old one."""
    try:
        response = client.update_item(
            TableName=table_name,
            Key=key,
            **update.params(key),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        raise ConditionFailed(cast("Item | None", exc.response.get("Item"))) from None
    return response["Attributes"]


def put_new(table_name: str, item: Item) -> TransactWriteItemTypeDef:
    """A transaction's Put that fails, cancelling the rest, when the key is taken."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(SK)",
        }
    }


def failed_conditions(exc: ClientError) -> dict[int, Item | None]:
    """Which items of a cancelled transaction failed their condition, by their place in
    `TransactItems`, each with the item as it was (where the request asked for ALL_OLD;
    None if absent). Empty for any other error: the caller re-raises it."""
    if error_code(exc) != "TransactionCanceledException":
        return {}
    return {
        index: cast("Item | None", reason.get("Item"))
        for index, reason in enumerate(exc.response.get("CancellationReasons", []))
        if reason.get("Code") == "ConditionalCheckFailed"
    }


def stale_version(what: str, expected: int, current: int) -> StaleVersion:
    return StaleVersion(
        f"The {what} was changed since version {expected}; "
        f"it is now at version {current}. Reload it and try again."
    )


def status_placeholders(statuses: Sequence[str]) -> str:
    """`:s0, :s1, …` for a `#status IN (…)` condition; values from `status_values`."""
    return ", ".join(f":s{i}" for i in range(len(statuses)))


def status_values(statuses: Sequence[str]) -> dict[str, Value]:
    return {f":s{i}": s(status) for i, status in enumerate(statuses)}
