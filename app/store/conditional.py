"""Conditional writes: the pieces every store builds its conditions from.

A failed UpdateItem condition comes back with the item as it was
(`ReturnValuesOnConditionCheckFailure=ALL_OLD`), so a store can say *why* it failed
(gone, stale version, wrong status) without a second read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.store.items import Item, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ConditionFailed(Exception):
    """The write's condition did not hold; `old` is the item as it was (None: absent)."""

    def __init__(self, old: Item | None) -> None:
        super().__init__("condition failed")
        self.old = old


def update_or_old(client: DynamoDBClient, **params: Any) -> Item:
    """UpdateItem returning the new item, or raising ConditionFailed with the old one."""
    try:
        response = client.update_item(
            **params, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD"
        )
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        raise ConditionFailed(cast("Item | None", exc.response.get("Item"))) from None
    return response["Attributes"]


def status_placeholders(statuses: Sequence[str]) -> str:
    """`:s0, :s1, …` for a `#status IN (…)` condition; values from `status_values`."""
    return ", ".join(f":s{i}" for i in range(len(statuses)))


def status_values(statuses: Sequence[str]) -> dict[str, dict[str, str]]:
    return {f":s{i}": s(status) for i, status in enumerate(statuses)}
