"""Idempotency records: `PK=USER#<sub>`, `SK=IDEMPOTENCY#<key>`, written in the same
transaction as the create they guard, so two concurrent requests with one key write
exactly one record (the other's transaction is cancelled) and one resource.

The record keeps the request's fingerprint and a copy of the created item: a replay
answers from it without another read, even after the resource changed or went. It
expires by TTL (`IDEMPOTENCY_TTL`); it carries no change-feed keys, so sync never sees it.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.errors import IdempotencyKeyReused
from app.domain.idempotency import Idempotency
from app.store import keys
from app.store.conditional import failed_conditions
from app.store.items import Item, key, n, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

IDEMPOTENCY_TTL = timedelta(hours=24)
# Transactions on the same item at the same moment cancel each other (TransactionConflict)
# instead of failing a condition: the loser tries again and then sees the winner's record.
_CONFLICT_ATTEMPTS = 4
_CONFLICT_PAUSE_SECONDS = 0.05


class Replay(Exception):
    """The key was used before for this very request: `record` is what it created."""

    def __init__(self, record: Item) -> None:
        super().__init__("replay")
        self.record = record


def claim(
    table_name: str, sub: str, idempotency: Idempotency, record: Item, now: datetime
) -> TransactWriteItemTypeDef:
    """The transaction's Put of the record of this key; fails (with the old record) if
    the key was used."""
    item = {
        **key(keys.user_pk(sub), keys.idempotency_sk(idempotency.key)),
        "entity": s("idempotency"),
        "fingerprint": s(idempotency.fingerprint),
        "record": {"M": record},
        "expiresAt": n(int((now + IDEMPOTENCY_TTL).timestamp())),
    }
    return {
        "Put": {
            "TableName": table_name,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(SK)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def transact_claimed(
    client: DynamoDBClient,
    items: list[TransactWriteItemTypeDef],
    idempotency: Idempotency,
) -> None:
    """Run a transaction whose last item is a `claim`. Raises `Replay` when the key
    names this same request, `IdempotencyKeyReused` when it names another, and the
    transaction's own ClientError for any other failed condition."""
    for attempt in range(_CONFLICT_ATTEMPTS):
        try:
            client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            failed = failed_conditions(exc)
            old = failed.get(len(items) - 1)
            if old is not None:
                if old["fingerprint"]["S"] != idempotency.fingerprint:
                    raise IdempotencyKeyReused(
                        "This Idempotency-Key was used for a different request; "
                        "use a new key for a new request."
                    ) from None
                raise Replay(cast(Item, old["record"]["M"])) from None
            if failed or not _conflict(exc) or attempt == _CONFLICT_ATTEMPTS - 1:
                raise
            time.sleep(_CONFLICT_PAUSE_SECONDS * (attempt + 1))
        else:
            return


def _conflict(exc: ClientError) -> bool:
    reasons = exc.response.get("CancellationReasons", [])
    return error_code(exc) == "TransactionCanceledException" and any(
        reason.get("Code") == "TransactionConflict" for reason in reasons
    )
