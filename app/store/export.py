"""Every item of one user as CSV, read and written one page at a time.

One Query on `PK=USER#<sub>` returns everything the user owns (profile, batches,
events, photos, reminders, devices, sensors), and each batch's readings follow its
batch row, from the batch's own readings partition. Each page becomes a block of CSV
text and is dropped before the next is read, so memory does not grow with the export.

Where an export stands (the cursor a block ends at) is a table key: in the user's
partition, the last item written (an exact batch key: the batch is written, its
readings are next); in a readings partition, the last reading written. Once a batch's
readings are all written the cursor is the batch's key plus `#`, which sorts before
everything under the batch: each step of an export starts with one Query.

Columns are fixed up front (one header row, streamed before the data is known): the
fields each record type stores, then `other`, a JSON object with any attribute not
named here, so a field added later is exported rather than lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from app.store import keys
from app.store.items import Item, key, key_of, s
from app.store.readings import reading_from_item
from app.store.table import partition_query

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RECORD_TYPES = (
    "profile",
    "batch",
    "event",
    "reminder",
    "photo",
    "device",
    "culture",
    "culture_event",
    "gift_code",
    "sensor",
    "reading",
)
COLUMNS = (
    "recordType",
    "id",
    "batchId",
    # batch
    "name",
    "kind",
    "status",
    "startedAt",
    "notes",
    "public",
    "cultureId",
    "parentBatchId",
    # culture (name, kind, status, notes, public as for a batch)
    "acquiredAt",
    "origin",
    "parentId",
    "generation",
    # event, culture_event
    "type",
    "occurredAt",
    "note",
    "ph",
    "temperatureC",
    "gravity",
    "grams",
    # reading (a sensor's minute: occurredAt, ph, temperatureC, gravity as for an event;
    # the means of the `count` readings that arrived in it)
    "sensorId",
    "battery",
    "count",
    # reminder
    "action",
    "text",
    "dueAt",
    "repeatEveryHours",
    "suggestionKey",
    # photo
    "contentType",
    "size",
    "width",
    "height",
    "objectKey",
    # device
    "platform",
    "token",
    # profile
    "sub",
    "email",
    "displayName",
    "timeZone",
    "notifications",
    # gift_code (a gift code made and not yet expired; the code itself is never stored)
    "expiresAt",
    # every record
    "createdAt",
    "updatedAt",
    "version",
    "other",
)
# Keys and index attributes: how the table finds an item, not the user's data.
# A culture's `feeds` and `weights` restate its feed and weigh events (the stats read
# them); a gift code's and a sensor token's hashes are lookup keys, not something the
# user gave.
_INTERNAL = frozenset(
    {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "LSI1SK", "entity"}
    | {"feeds", "weights", "codeHash", "tokenHash"}
)
_KNOWN = frozenset(COLUMNS) - {"recordType", "public", "other"}
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# No item limit: DynamoDB's own 1 MB page bounds memory, and a full page per Query keeps
# the number of round trips at the minimum (a plain paginated Query reads the same pages).
PAGE_ITEMS: int | None = None


class ExportStore:
    def __init__(
        self, client: DynamoDBClient, table_name: str, page_items: int | None = PAGE_ITEMS
    ) -> None:
        self.client = client
        self.table_name = table_name
        self.page_items = page_items

    def pages(self, sub: str, start: Item | None = None) -> Iterator[Page]:
        """The user's partition in key order, each batch followed by its readings, one
        DynamoDB page at a time, from `start` (a cursor a previous page gave) on."""
        pk = keys.user_pk(sub)
        if start is not None and start["PK"]["S"] != pk:  # inside a batch's readings
            owner = keys.readings_owner(start["PK"]["S"])[1]
            start = yield from self._readings(sub, owner, start)
        elif start is not None and (written := _batch_id(start)) is not None:
            start = yield from self._readings(sub, written, None)
        params = partition_query(self.table_name, pk)
        if self.page_items is not None:
            params["Limit"] = self.page_items
        if start is not None:
            params["ExclusiveStartKey"] = start
        while True:
            response = self.client.query(**params)
            last_key = response.get("LastEvaluatedKey")
            # Popped, not read: the consumer then holds the only reference to the page.
            items: list[Item] = cast("dict[str, Any]", response).pop("Items")
            cut = 0
            for index, item in enumerate(items):
                if (batch_id := _batch_id(item)) is not None:
                    yield Page(items[cut : index + 1], key_of(item))
                    yield from self._readings(sub, batch_id, None)
                    cut = index + 1
            if cut < len(items) or not items:
                yield Page(items[cut:], last_key)
            del items
            if last_key is None:
                return
            params["ExclusiveStartKey"] = last_key

    def _readings(self, sub: str, batch_id: str, start: Item | None) -> Generator[Page, None, Item]:
        """The batch's readings (after `start`, a reading's key), a page at a time;
        returns the cursor that carries on with what follows the batch."""
        params = partition_query(
            self.table_name, keys.readings_pk(sub, batch_id), begins_with=keys.READING
        )
        if self.page_items is not None:
            params["Limit"] = self.page_items
        if start is not None:
            params["ExclusiveStartKey"] = start
        after = key(keys.user_pk(sub), keys.batch_sk(batch_id) + "#")
        while True:
            response = self.client.query(**params)
            last_key = response.get("LastEvaluatedKey")
            items = [
                _reading_item(batch_id, item)
                for item in cast("dict[str, Any]", response).pop("Items")
                if item.get("entity") != s("tombstone")
            ]
            yield Page(items, last_key or after)
            if last_key is None:
                return after
            params["ExclusiveStartKey"] = last_key


class Page(NamedTuple):
    items: list[Item]
    # Where the next page starts; None after the last.
    cursor: Item | None


class CsvBlock(NamedTuple):
    data: bytes
    cursor: Item | None


def csv_chunks(pages: Iterable[Page], *, header: bool = True) -> Iterator[CsvBlock]:
    """UTF-8 CSV (RFC 4180: CRLF, quotes doubled): the header (unless continuing an
    export), then one block per page with the cursor after it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(COLUMNS)
    for items, cursor in pages:
        writer.writerows(row(item) for item in items if not is_bookkeeping(item))
        del items  # the page's items go before its CSV text is handed on
        yield CsvBlock(buffer.getvalue().encode(), cursor)
        buffer.seek(0)
        buffer.truncate()


def is_bookkeeping(item: Item) -> bool:
    """Tombstones and idempotency records are the API's, not the user's data."""
    return str(item["SK"]["S"]).startswith(keys.BOOKKEEPING)


def record_type(item: Item) -> str:
    entity = item.get("entity", {}).get("S")
    if entity in RECORD_TYPES:
        return str(entity)
    sk = item["SK"]["S"]
    if sk == keys.PROFILE:
        return "profile"
    for marker, name in ((keys.EVENT, "event"), (keys.PHOTO, "photo"), (keys.REMINDER, "reminder")):
        if marker in sk:
            return name
    if sk.startswith(keys.DEVICE):
        return "device"
    return "batch" if sk.startswith(keys.BATCH) else str(entity or "item")


def row(item: Item) -> list[str]:
    kind = record_type(item)
    cells = dict.fromkeys(COLUMNS, "")
    cells["recordType"] = kind
    other: dict[str, Any] = {}
    for name, value in item.items():
        if name in _INTERNAL:
            continue
        if name in _KNOWN:
            cells[name] = cell(value)
        else:
            other[name] = plain(value)
    if kind == "batch":
        cells["public"] = "true" if "GSI1PK" in item else "false"
    elif kind == "culture" and "public" in item:
        cells["public"] = cell(item["public"])
    if other:
        cells["other"] = safe(json.dumps(other, ensure_ascii=False, sort_keys=True))
    return list(cells.values())


def cell(value: dict[str, Any]) -> str:
    """One attribute value as text; numbers stay numbers, text is made formula-safe."""
    if "N" in value:
        return str(value["N"])
    if "S" in value:
        return safe(str(value["S"]))
    if "BOOL" in value:
        return "true" if value["BOOL"] else "false"
    if "NULL" in value:
        return ""
    return safe(json.dumps(plain(value), ensure_ascii=False, sort_keys=True))


def safe(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def plain(value: dict[str, Any]) -> Any:
    (kind, inner), *_ = value.items()
    if kind == "N":
        return float(inner) if any(c in inner for c in ".eE") else int(inner)
    if kind in {"S", "BOOL"}:
        return inner
    if kind == "NULL":
        return None
    if kind == "L":
        return [plain(v) for v in inner]
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    if kind in {"SS", "NS"}:
        return sorted(inner)
    return str(inner)


def _batch_id(item: Item) -> str | None:
    """The batch's id if `item` is (or is the key of) a batch itself."""
    sk = str(item["SK"]["S"])
    rest = sk[len(keys.BATCH) :]
    return rest if sk.startswith(keys.BATCH) and "#" not in rest else None


def _reading_item(batch_id: str, item: Item) -> Item:
    """A minute reading as the row it exports as: the means, not the sums."""
    reading = reading_from_item(item)
    values = reading.values
    row: dict[str, Any] = {
        "PK": item["PK"],
        "SK": item["SK"],
        "entity": s("reading"),
        "id": s(keys.reading_id(batch_id, item["SK"]["S"])),
        "batchId": s(batch_id),
        "sensorId": s(reading.sensor_id),
        "occurredAt": item["at"],
        "count": item["n"],
        "gravity": _number(values.get("gravity")),
        "temperatureC": _number(values.get("temperature")),
        "ph": _number(values.get("ph")),
        "battery": _number(values.get("battery")),
        "updatedAt": item.get("updatedAt"),
        "version": item["n"],
    }
    return {name: value for name, value in row.items() if value is not None}


def _number(value: float | None) -> dict[str, str] | None:
    return None if value is None else {"N": repr(round(value, 6))}
