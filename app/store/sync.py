"""The change feed: every record of a user in the order it last changed (GSI2), and
the cursors that page through it.

One Query per page. A record written, updated or deleted (its tombstone) moves to the
end of the feed, so a cursor saying "everything up to here" is the change stamp and key
of the last record a client saw.

Every cursor also carries when the device's knowledge dates from (`iss`): the time the
last complete pull ended, kept through the pages of the next one. That, not the
position in the feed (a record unchanged for months sits far back), is what the
horizon is measured against: tombstones newer than it are still there.

Two kinds of cursor:

* **continuation** (`hasMore` was true): the exact key of the last item returned;
  the next page starts right after it, no overlap.
* **resume** (the last page): only the stamp. The next pull starts `overlap` before it,
  because the index is eventually consistent: a record written a moment before the
  last one seen may show up in the index a moment later. The client drops what it
  already has by id and version.

Adding a record type to sync (cultures): write it with `change_keys` (the mappers in
`app.store.items` do) and add its `entity` and mapper to `RECORDS`; an entity not
listed there is skipped, never an error. Records outside the user's partition (a
batch's readings and alert state) are in the same feed: a cursor names the last one
by its feed key (`app.store.keys.feed_key`), and the partition is rebuilt from the
caller, never read from the cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec

from app.domain.errors import InvalidCursor, ResyncRequired
from app.domain.ids import is_ulid
from app.domain.sync import Record
from app.store import keys
from app.store.cultures import culture_event_from_item, culture_from_item
from app.store.items import (
    Item,
    batch_from_item,
    device_from_item,
    event_from_item,
    photo_from_item,
    profile_from_item,
    reminder_from_item,
    s,
    sensor_from_item,
    stamp,
    tombstone_from_item,
)
from app.store.pages import NOT_OURS, decode_cursor, encode_cursor
from app.store.readings import alert_status_from_item, reading_record_from_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# entity -> mapper; the one list a new synced record type joins.
RECORDS: dict[str, Callable[[Item], Record]] = {
    "batch": batch_from_item,
    "event": event_from_item,
    "reminder": reminder_from_item,
    "photo": photo_from_item,
    "device": device_from_item,
    "profile": profile_from_item,
    "sensor": sensor_from_item,
    "reading": reading_record_from_item,
    "alert-state": alert_status_from_item,
    "culture": culture_from_item,
    "culture_event": culture_event_from_item,
    "tombstone": tombstone_from_item,
}

_CURSOR_FIELDS = ("at", "sk", "iss")
_STAMP_WIDTH = len("2026-01-01T00:00:00.000000Z")


class ChangePage(msgspec.Struct, frozen=True):
    records: list[Record]
    next_cursor: str
    has_more: bool


class SyncStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def changes(
        self,
        sub: str,
        *,
        cursor: str | None,
        limit: int,
        now: datetime,
        horizon: timedelta,
        overlap: timedelta,
    ) -> ChangePage:
        """One page of what changed after `cursor` (everything without one)."""
        pk = keys.user_pk(sub)
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": {":pk": s(pk)},
            "Limit": limit,
        }
        resume_at = stamp(now)
        issued = resume_at
        if cursor is not None:
            at, sk, changed_at, issued = _read_cursor(cursor)
            if datetime.fromisoformat(issued) < now - horizon:
                raise ResyncRequired(
                    "This cursor is older than the sync horizon; drop the local copy "
                    "and pull again without a cursor."
                )
            resume_at = at
            if sk:
                table_pk, table_sk = keys.table_key(sub, sk)
                params["ExclusiveStartKey"] = {
                    "GSI2PK": s(pk),
                    "GSI2SK": s(at),
                    "PK": s(table_pk),
                    "SK": s(table_sk),
                }
            else:
                params["KeyConditionExpression"] += " AND GSI2SK > :from"
                params["ExpressionAttributeValues"][":from"] = s(stamp(changed_at - overlap))
        response = self.client.query(**params)
        items = response["Items"]
        records = [RECORDS[e](i) for i in items if (e := _entity(i)) in RECORDS]
        last_key = response.get("LastEvaluatedKey")
        if last_key is not None:
            feed_key = keys.feed_key(last_key["PK"]["S"], last_key["SK"]["S"])
            next_cursor = _cursor(last_key["GSI2SK"]["S"], feed_key, issued)
        else:
            last = items[-1]["GSI2SK"]["S"] if items else resume_at
            next_cursor = _cursor(last, "", stamp(now))
        return ChangePage(records=records, next_cursor=next_cursor, has_more=last_key is not None)


def _entity(item: Item) -> str:
    return str(item.get("entity", {}).get("S", ""))


def _cursor(at: str, sk: str, issued: str) -> str:
    return encode_cursor({"at": s(at), "sk": s(sk), "iss": s(issued)}, _CURSOR_FIELDS)


def _read_cursor(cursor: str) -> tuple[str, str, datetime, str]:
    """(GSI2SK or stamp, feed key or "" for a resume cursor, the change time it names,
    the stamp the device's knowledge dates from)."""
    payload = decode_cursor(cursor, _CURSOR_FIELDS)
    at, sk, issued = payload["at"], payload["sk"], payload["iss"]
    try:
        changed_at = datetime.fromisoformat(at[:_STAMP_WIDTH])
        issued_at = datetime.fromisoformat(issued)
    except ValueError:
        raise InvalidCursor(NOT_OURS) from None
    if changed_at.tzinfo is None or issued_at.tzinfo is None or len(issued) != _STAMP_WIDTH:
        raise InvalidCursor(NOT_OURS)
    if sk and at != keys.change_sk(at[:_STAMP_WIDTH], sk):
        raise InvalidCursor(NOT_OURS)
    if sk.startswith(keys.READINGS) and not is_ulid(sk[len(keys.READINGS) :].split("#")[0]):
        raise InvalidCursor(NOT_OURS)
    if not sk and len(at) != _STAMP_WIDTH and at[_STAMP_WIDTH] != "#":
        raise InvalidCursor(NOT_OURS)
    return at, sk, changed_at, issued
