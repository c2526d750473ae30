"""Struct <-> DynamoDB item mapping in the low-level attribute-value format, for every
record the table holds: one place to read what an item looks like.

The low-level client is used rather than the resource API: numbers arrive as strings
and become floats here, with no Decimal leaking upwards and no generic
(de)serializer on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import msgspec

from app.domain.batches import Batch, BatchKind, BatchStatus, Event, EventType
from app.domain.cultures import MadeBatch
from app.domain.devices import Device, Platform, token_hash
from app.domain.photos import Photo, PhotoContentType
from app.domain.profiles import DEFAULT_TIME_ZONE, NotificationPreferences, Profile
from app.domain.readings import Reading
from app.domain.reminders import Reminder, ReminderStatus
from app.domain.sensors import IngestTarget, Posted, Sensor, SensorStatus, TokenHead
from app.domain.sync import Tombstone
from app.store import keys

Item = dict[str, Any]
Value = dict[str, str]
V = TypeVar("V")

_prefs_decoder = msgspec.json.Decoder(NotificationPreferences)
_reading_encoder = msgspec.json.Encoder()
_reading_decoder = msgspec.json.Decoder(Reading)


def s(value: str) -> Value:
    return {"S": value}


# DynamoDB numbers stop at a magnitude of 1e-130: anything smaller is stored as 0.
_SMALLEST_NUMBER = 1e-130


def n(value: float | int) -> Value:
    if isinstance(value, float):
        return {"N": repr(value) if abs(value) >= _SMALLEST_NUMBER else "0"}
    return {"N": str(value)}


def ts(value: datetime) -> Value:
    return {"S": value.astimezone(UTC).isoformat().replace("+00:00", "Z")}


def stamp(value: datetime) -> str:
    """A fixed-width UTC time (microseconds always present), so text order is time order:
    the change feed's sort key and the sync cursor are compared as text."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def change_keys(pk: str, sk: str, changed_at: datetime) -> Item:
    """GSI2, the change feed: every record of a user, ordered by when it last changed
    (a batch's readings partition feeds its user's, see `app.store.keys`)."""
    return {
        "GSI2PK": s(keys.feed_pk(pk)),
        "GSI2SK": s(keys.change_sk(stamp(changed_at), keys.feed_key(pk, sk))),
    }


def with_change_keys(item: Item, changed_at: datetime) -> Item:
    return {**item, **change_keys(item["PK"]["S"], item["SK"]["S"], changed_at)}


def maybe(to: Callable[[V], Value], value: V | None) -> Value | None:
    """An optional field's value; None leaves the attribute out of the item."""
    return None if value is None else to(value)


def _present(item: dict[str, Value | None]) -> Item:
    return {name: value for name, value in item.items() if value is not None}


def _changed(changed_at: datetime, item: dict[str, Value | None]) -> Item:
    """A record's item with its change-feed keys: every record mapper goes through here."""
    return with_change_keys(_present(item), changed_at)


def opt_str(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None else cast(str, value["S"])


def opt_float(item: Item, name: str) -> float | None:
    value = item.get(name)
    return None if value is None else float(value["N"])


def opt_int(item: Item, name: str) -> int | None:
    value = item.get(name)
    return None if value is None else int(value["N"])


def get_ts(item: Item, name: str) -> datetime:
    return datetime.fromisoformat(item[name]["S"])


def opt_ts(item: Item, name: str) -> datetime | None:
    return get_ts(item, name) if name in item else None


def key(pk: str, sk: str) -> Item:
    return {"PK": s(pk), "SK": s(sk)}


def key_of(item: Item) -> Item:
    return {"PK": item["PK"], "SK": item["SK"]}


def batch_key(sub: str, batch_id: str) -> Item:
    return key(keys.user_pk(sub), keys.batch_sk(batch_id))


def batch_to_item(sub: str, batch: Batch) -> Item:
    return _changed(
        batch.updated_at,
        {
            **batch_key(sub, batch.id),
            "LSI1SK": s(batch.id),
            "entity": s("batch"),
            "id": s(batch.id),
            "name": s(batch.name),
            "kind": s(batch.kind),
            "status": s(batch.status),
            "startedAt": ts(batch.started_at),
            "notes": maybe(s, batch.notes),
            "temperatureC": maybe(n, batch.temperature_c),
            "createdAt": ts(batch.created_at),
            "updatedAt": ts(batch.updated_at),
            "version": n(batch.version),
            # The sparse GSI1 key: present only while sharing is on.
            "GSI1PK": s(keys.public_pk(batch.id)) if batch.public else None,
            "GSI1SK": s(keys.PUBLIC_SK) if batch.public else None,
            "cultureId": maybe(s, batch.culture_id),
            "parentBatchId": maybe(s, batch.parent_batch_id),
            # The sparse GSI3 key: the batches a culture made (app.store.cultures).
            "GSI3PK": s(keys.culture_batches_gsi3pk(sub, batch.culture_id))
            if batch.culture_id
            else None,
            "GSI3SK": s(batch.id) if batch.culture_id else None,
        },
    )


def batch_from_item(item: Item) -> Batch:
    return Batch(
        id=item["id"]["S"],
        name=item["name"]["S"],
        kind=cast(BatchKind, item["kind"]["S"]),
        status=cast(BatchStatus, item["status"]["S"]),
        started_at=get_ts(item, "startedAt"),
        notes=opt_str(item, "notes"),
        temperature_c=opt_float(item, "temperatureC"),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
        public="GSI1PK" in item,
        culture_id=opt_str(item, "cultureId"),
        parent_batch_id=opt_str(item, "parentBatchId"),
    )


def made_entry(batch: Batch) -> Item:
    """A batch as its culture's item keeps it (`made.<batchId>`, see app.store.cultures)."""
    return {
        "M": {
            "name": s(batch.name),
            "kind": s(batch.kind),
            "status": s(batch.status),
            "startedAt": ts(batch.started_at),
        }
    }


def made_from_entry(batch_id: str, entry: Item) -> MadeBatch:
    fields = entry["M"]
    return MadeBatch(
        id=batch_id,
        name=fields["name"]["S"],
        kind=cast(BatchKind, fields["kind"]["S"]),
        status=cast(BatchStatus, fields["status"]["S"]),
        started_at=get_ts(fields, "startedAt"),
    )


def event_to_item(sub: str, event: Event) -> Item:
    """Events never change: their change time is when they were stored."""
    return _changed(
        event.created_at,
        {
            **key(keys.user_pk(sub), keys.event_sk(event.batch_id, event.id)),
            "entity": s("event"),
            "id": s(event.id),
            "batchId": s(event.batch_id),
            "type": s(event.type),
            "occurredAt": ts(event.occurred_at),
            "note": maybe(s, event.note),
            "ph": maybe(n, event.ph),
            "temperatureC": maybe(n, event.temperature_c),
            "gravity": maybe(n, event.gravity),
            "createdAt": ts(event.created_at),
            "updatedAt": ts(event.created_at),
            "version": n(1),
        },
    )


def event_from_item(item: Item) -> Event:
    return Event(
        id=item["id"]["S"],
        batch_id=item["batchId"]["S"],
        type=cast(EventType, item["type"]["S"]),
        occurred_at=get_ts(item, "occurredAt"),
        note=opt_str(item, "note"),
        ph=opt_float(item, "ph"),
        temperature_c=opt_float(item, "temperatureC"),
        gravity=opt_float(item, "gravity"),
        created_at=get_ts(item, "createdAt"),
    )


def reminder_key(sub: str, batch_id: str, reminder_id: str) -> Item:
    return key(keys.user_pk(sub), keys.reminder_sk(batch_id, reminder_id))


def culture_reminder_key(sub: str, culture_id: str, reminder_id: str) -> Item:
    return key(keys.user_pk(sub), keys.culture_reminder_sk(culture_id, reminder_id))


def key_of_reminder(sub: str, reminder: Reminder) -> Item:
    """Under its batch (`BATCH#<id>#REMINDER#`) or its culture (`CULTURE#<id>#REMINDER#`)."""
    if reminder.culture_id is not None:
        return culture_reminder_key(sub, reminder.culture_id, reminder.id)
    return reminder_key(sub, reminder.owner_id, reminder.id)


def reminder_to_item(sub: str, reminder: Reminder) -> Item:
    return _changed(
        reminder.updated_at,
        {
            **key_of_reminder(sub, reminder),
            "entity": s("reminder"),
            "id": s(reminder.id),
            "batchId": maybe(s, reminder.batch_id),
            "cultureId": maybe(s, reminder.culture_id),
            "action": s(reminder.action),
            "text": s(reminder.text),
            "dueAt": ts(reminder.due_at),
            "status": s(reminder.status),
            "repeatEveryHours": maybe(n, reminder.repeat_every_hours),
            "suggestionKey": maybe(s, reminder.suggestion_key),
            "sentAt": maybe(ts, reminder.sent_at),
            "doneAt": maybe(ts, reminder.done_at),
            "doneEventId": maybe(s, reminder.done_event_id),
            "nextReminderId": maybe(s, reminder.next_reminder_id),
            "failureReason": maybe(s, reminder.failure_reason),
            "deliveryAttempts": n(reminder.delivery_attempts)
            if reminder.delivery_attempts
            else None,
            "createdAt": ts(reminder.created_at),
            "updatedAt": ts(reminder.updated_at),
            "version": n(reminder.version),
        },
    )


def reminder_from_item(item: Item) -> Reminder:
    return Reminder(
        id=item["id"]["S"],
        batch_id=opt_str(item, "batchId"),
        culture_id=opt_str(item, "cultureId"),
        action=cast(EventType, item["action"]["S"]),
        text=item["text"]["S"],
        due_at=get_ts(item, "dueAt"),
        status=cast(ReminderStatus, item["status"]["S"]),
        repeat_every_hours=opt_int(item, "repeatEveryHours"),
        suggestion_key=opt_str(item, "suggestionKey"),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
        sent_at=opt_ts(item, "sentAt"),
        done_at=opt_ts(item, "doneAt"),
        done_event_id=opt_str(item, "doneEventId"),
        next_reminder_id=opt_str(item, "nextReminderId"),
        failure_reason=opt_str(item, "failureReason"),
        delivery_attempts=opt_int(item, "deliveryAttempts") or 0,
    )


def photo_key(sub: str, batch_id: str, photo_id: str) -> Item:
    return key(keys.user_pk(sub), keys.photo_sk(batch_id, photo_id))


def photo_to_item(sub: str, photo: Photo, object_key: str) -> Item:
    item = _changed(
        photo.created_at,
        {
            **photo_key(sub, photo.batch_id, photo.id),
            "entity": s("photo"),
            "id": s(photo.id),
            "batchId": s(photo.batch_id),
            "objectKey": s(object_key),
            "contentType": s(photo.content_type),
            "size": n(photo.size),
            "createdAt": ts(photo.created_at),
            "updatedAt": ts(photo.created_at),
            "version": n(1),
        },
    )
    if photo.width is not None and photo.height is not None:
        item["width"] = n(photo.width)
        item["height"] = n(photo.height)
    return item


def photo_from_item(item: Item) -> Photo:
    return Photo(
        id=item["id"]["S"],
        batch_id=item["batchId"]["S"],
        content_type=cast(PhotoContentType, item["contentType"]["S"]),
        size=int(item["size"]["N"]),
        width=opt_int(item, "width"),
        height=opt_int(item, "height"),
        created_at=get_ts(item, "createdAt"),
    )


def profile_key(sub: str) -> Item:
    return key(keys.user_pk(sub), keys.PROFILE)


def profile_to_item(profile: Profile) -> Item:
    return _changed(
        profile.updated_at,
        {
            **profile_key(profile.sub),
            "entity": s("profile"),
            "sub": s(profile.sub),
            "email": maybe(s, profile.email),
            "displayName": maybe(s, profile.display_name),
            "timeZone": s(profile.time_zone),
            "notifications": s(msgspec.json.encode(profile.notifications).decode()),
            "createdAt": ts(profile.created_at),
            "updatedAt": ts(profile.updated_at),
            "version": n(profile.version),
        },
    )


def profile_from_item(item: Item) -> Profile:
    prefs = opt_str(item, "notifications")
    return Profile(
        sub=item["sub"]["S"],
        email=opt_str(item, "email"),
        display_name=opt_str(item, "displayName"),
        time_zone=opt_str(item, "timeZone") or DEFAULT_TIME_ZONE,
        notifications=_prefs_decoder.decode(prefs) if prefs else NotificationPreferences(),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
    )


def device_key(sub: str, hashed: str) -> Item:
    return key(keys.user_pk(sub), keys.device_sk(hashed))


def owner_key(hashed: str) -> Item:
    """The item that says who holds a push token (`PUSHTOKEN#<hash>`, `OWNER`)."""
    return key(keys.push_token_pk(hashed), keys.OWNER)


def device_to_item(sub: str, device: Device) -> Item:
    return _changed(
        device.updated_at,
        {
            **device_key(sub, token_hash(device.token)),
            "entity": s("device"),
            "token": s(device.token),
            "platform": s(device.platform),
            "createdAt": ts(device.created_at),
            "updatedAt": ts(device.updated_at),
            # Registration overwrites the whole item; the version is there because every item
            # carries one (ARCHITECTURE.md), not for optimistic locking.
            "version": n(1),
        },
    )


def device_from_item(item: Item) -> Device:
    return Device(
        token=item["token"]["S"],
        platform=cast(Platform, item["platform"]["S"]),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
    )


def sensor_key(sub: str, sensor_id: str) -> Item:
    return key(keys.user_pk(sub), keys.sensor_sk(sensor_id))


def token_key(token_hash: str) -> Item:
    return key(keys.ingest_pk(token_hash), keys.TOKEN_SK)


def sensor_to_item(sub: str, sensor: Sensor) -> Item:
    return _changed(
        sensor.updated_at,
        {
            **sensor_key(sub, sensor.id),
            "entity": s("sensor"),
            "id": s(sensor.id),
            "name": s(sensor.name),
            "batchId": s(sensor.batch_id),
            "status": s(sensor.status),
            "tokenHash": s(sensor.token_hash),
            "createdAt": ts(sensor.created_at),
            "updatedAt": ts(sensor.updated_at),
            "version": n(sensor.version),
        },
    )


def sensor_from_item(item: Item) -> Sensor:
    return Sensor(
        id=item["id"]["S"],
        name=item["name"]["S"],
        batch_id=item["batchId"]["S"],
        status=cast(SensorStatus, item["status"]["S"]),
        token_hash=item["tokenHash"]["S"],
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
    )


def target_to_item(token_hash: str, target: IngestTarget) -> Item:
    """The token's item: whose batch it writes to. It holds the token's hash (in the
    key), never the token."""
    return {
        **token_key(token_hash),
        "entity": s("ingest-token"),
        "sub": s(target.sub),
        "batchId": s(target.batch_id),
        "sensorId": s(target.sensor_id),
        "kind": s(target.kind),
        "startedAt": ts(target.started_at),
        "version": n(1),
    }


def target_from_item(item: Item) -> IngestTarget:
    return IngestTarget(
        sub=item["sub"]["S"],
        batch_id=item["batchId"]["S"],
        sensor_id=item["sensorId"]["S"],
        kind=cast(BatchKind, item["kind"]["S"]),
        started_at=get_ts(item, "startedAt"),
    )


def head_from_item(item: Item) -> TokenHead:
    return TokenHead(
        target=target_from_item(item),
        version=int(item["version"]["N"]),
        arrival_minute=item.get("arrivalMinute", s(""))["S"],
        arrivals=int(item.get("arrivals", n(0))["N"]),
        closed="closed" in item,
    )


def posted_to_item(token_hash: str, head: TokenHead, reading: Reading, now: datetime) -> Item:
    """The token's item carrying one reading (the whole item: ingest replaces it,
    conditioned on the version it read). The table's stream hands it to the consumer."""
    return {
        **target_to_item(token_hash, head.target),
        "version": n(head.version),
        "arrivalMinute": s(head.arrival_minute),
        "arrivals": n(head.arrivals),
        "reading": s(_reading_encoder.encode(reading).decode()),
        "receivedAt": ts(now),
    }


def posted_from_image(image: Item) -> Posted | None:
    """The reading a token item's stream image carries; None for an image of a write
    that carried none (registration, a move)."""
    if "reading" not in image or image.get("entity") != s("ingest-token"):
        return None
    return Posted(
        token_hash=image["PK"]["S"].removeprefix(keys.INGEST),
        target=target_from_item(image),
        version=int(image["version"]["N"]),
        reading=_reading_decoder.decode(image["reading"]["S"]),
        received_at=get_ts(image, "receivedAt"),
    )


# How long a deletion is remembered for sync: a day past the longest sync horizon
# (30 days, `SYNC_HORIZON_SECONDS`), so a cursor inside the horizon finds every one.
TOMBSTONE_TTL = timedelta(days=31)


def record_id(item: Item) -> str:
    """The id a client knows a record by (a profile is its user's; a device its token's hash)."""
    if "id" in item:
        return str(item["id"]["S"])
    sk = str(item["SK"]["S"])
    if item["PK"]["S"].startswith(keys.READINGS):  # a minute reading, or the alert state
        batch_id = keys.readings_owner(item["PK"]["S"])[1]
        return batch_id if sk == keys.ALERTS_SK else keys.reading_id(batch_id, sk)
    return str(item["PK"]["S"])[len(keys.USER) :] if sk == keys.PROFILE else sk.split("#")[-1]


def tombstone_to_item(record: Item, deleted_at: datetime, *, in_place: bool = False) -> Item:
    """The tombstone of `record` (its key, `entity` and `id`, `batchId` or `cultureId` if any, are
    enough), in the change feed at `deleted_at` and gone by TTL after the horizon.
    `in_place`: at the record's own key, replacing it (one write where there would be
    two: a batch's readings partition, which nothing reads once its batch is gone)."""
    pk, sk = record["PK"]["S"], record["SK"]["S"]
    entity = opt_str(record, "entity") or "record"
    return _changed(
        deleted_at,
        {
            **key(pk, sk if in_place else keys.tombstone_sk(sk)),
            "entity": s("tombstone"),
            "of": s(entity),
            "id": s(record_id(record)),
            "batchId": record.get("batchId") or _readings_batch(pk),
            "cultureId": record.get("cultureId"),
            "deletedAt": ts(deleted_at),
            "expiresAt": n(int((deleted_at + TOMBSTONE_TTL).timestamp())),
        },
    )


def _readings_batch(pk: str) -> Value | None:
    return s(keys.readings_owner(pk)[1]) if pk.startswith(keys.READINGS) else None


def tombstone_from_item(item: Item) -> Tombstone:
    return Tombstone(
        entity=item["of"]["S"],
        id=item["id"]["S"],
        deleted_at=get_ts(item, "deletedAt"),
        batch_id=opt_str(item, "batchId"),
        culture_id=opt_str(item, "cultureId"),
    )
