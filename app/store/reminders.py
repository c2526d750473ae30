"""Reminders, in the single table: a batch's under `BATCH#<id>#REMINDER#<id>`, a
culture's care reminders under `CULTURE#<id>#REMINDER#<id>` (`key_of_reminder`).

Every status change is a conditional write on the status (and, where a client edits,
the version), so two deliveries, two `done` calls or a `done` racing a cancel cannot
both win. Writes that depend on the batch (or culture) being open carry a condition
check on its item in the same transaction (`_under_open_owner`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.batches import Batch, Event
from app.domain.cultures import Culture, CultureEvent
from app.domain.errors import NotFound, ReminderClosed, StaleVersion
from app.domain.profiles import DEFAULT_TIME_ZONE, NotificationPreferences
from app.domain.reminders import OPEN_REMINDER_STATUSES, Reminder, ReminderStatus
from app.store import keys
from app.store.batches import batch_unavailable, require_batch, under_open_batch
from app.store.conditional import (
    ConditionFailed,
    Update,
    failed_conditions,
    put_new,
    stale_version,
    update_or_old,
)
from app.store.cultures import culture_event_to_item, culture_from_item, under_open_culture
from app.store.items import (
    Item,
    batch_from_item,
    batch_key,
    culture_reminder_key,
    event_from_item,
    event_to_item,
    key,
    key_of_reminder,
    n,
    profile_from_item,
    reminder_from_item,
    reminder_key,
    reminder_to_item,
    s,
    tombstone_to_item,
    ts,
)
from app.store.lineage import culture_unavailable
from app.store.table import events_query, partition_query, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_REMINDERS = "its reminders"


class Snapshot(msgspec.Struct, frozen=True):
    """A batch (or, for a care reminder, a culture) and one of its reminders, read
    together; either may be gone."""

    batch: Batch | None
    reminder: Reminder | None
    culture: Culture | None = None
    # A culture's care reminder: `culture`, not `batch`, is what it belongs to.
    care: bool = False
    # The profile's settings; a user who never opened their profile gets reminders, in UTC.
    notifications: NotificationPreferences = NotificationPreferences()
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def title(self) -> str | None:
        """What its push is titled: the batch's or the culture's name."""
        owner = self.culture or self.batch
        return owner.name if owner is not None else None

    @property
    def notifications_on(self) -> bool:
        return self.notifications.reminders


class ReminderStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def add(self, sub: str, reminder: Reminder) -> tuple[Reminder, bool]:
        """Write a new (pending) reminder under an open batch. The same id again (a
        retried confirm) returns the stored one and False instead of a second."""
        put = put_new(self.table_name, reminder_to_item(sub, reminder))
        items = self._under_open_owner(sub, reminder, put)
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:  # checked first: a closed batch or culture
                raise _owner_unavailable(reminder, failed[0]) from None
            if 1 in failed:
                return self.reload(sub, reminder), False
            raise
        return reminder, True

    def get(self, sub: str, batch_id: str, reminder_id: str) -> Reminder:
        return self._get(reminder_key(sub, batch_id, reminder_id))

    def get_care(self, sub: str, culture_id: str, reminder_id: str) -> Reminder:
        return self._get(culture_reminder_key(sub, culture_id, reminder_id))

    def reload(self, sub: str, reminder: Reminder, reminder_id: str | None = None) -> Reminder:
        """The stored `reminder` (or, with `reminder_id`, another of the same batch or
        culture: the one that follows it)."""
        if reminder_id is not None:
            reminder = msgspec.structs.replace(reminder, id=reminder_id)
        return self._get(key_of_reminder(sub, reminder))

    def _get(self, reminder_key: Item) -> Reminder:
        response = self.client.get_item(
            TableName=self.table_name, Key=reminder_key, ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            raise NotFound("No such reminder.")
        return reminder_from_item(item)

    def snapshot_care(self, sub: str, culture_id: str, reminder_id: str) -> Snapshot:
        """The culture, its care reminder and the user's profile, as one consistent read."""
        pk = s(keys.user_pk(sub))
        sort_keys = (
            keys.culture_sk(culture_id),
            keys.culture_reminder_sk(culture_id, reminder_id),
            keys.PROFILE,
        )
        response = self.client.transact_get_items(
            TransactItems=[
                {"Get": {"TableName": self.table_name, "Key": {"PK": pk, "SK": s(sk)}}}
                for sk in sort_keys
            ]
        )
        culture_item, reminder_item, profile_item = (r.get("Item") for r in response["Responses"])
        return _snapshot(
            None,
            reminder_item,
            profile_item,
            culture=culture_from_item(culture_item) if culture_item else None,
            care=True,
        )

    def list_for_culture(self, sub: str, culture_id: str) -> list[Reminder]:
        """A culture's care reminders, by id; an empty answer checks the culture exists."""
        items = query_all(
            self.client,
            partition_query(
                self.table_name,
                keys.user_pk(sub),
                begins_with=keys.culture_reminder_prefix(culture_id),
                ConsistentRead=True,
            ),
        )
        if not items:
            found = self.client.get_item(
                TableName=self.table_name,
                Key=key(keys.user_pk(sub), keys.culture_sk(culture_id)),
                ProjectionExpression="SK",
                ConsistentRead=True,
            )
            if "Item" not in found:
                raise NotFound("No such culture.")
        return [reminder_from_item(item) for item in items]

    def snapshot(self, sub: str, batch_id: str, reminder_id: str) -> Snapshot:
        """The batch, the reminder and the user's profile in one call, as one consistent read."""
        pk = s(keys.user_pk(sub))
        sort_keys = (keys.batch_sk(batch_id), keys.reminder_sk(batch_id, reminder_id), keys.PROFILE)
        response = self.client.transact_get_items(
            TransactItems=[
                {"Get": {"TableName": self.table_name, "Key": {"PK": pk, "SK": s(sk)}}}
                for sk in sort_keys
            ]
        )
        batch_item, reminder_item, profile_item = (r.get("Item") for r in response["Responses"])
        return _snapshot(batch_item, reminder_item, profile_item)

    def list_for_batch(self, sub: str, batch_id: str) -> list[Reminder]:
        """All of a batch's reminders, by id (first due first). A batch has a handful; an
        empty answer checks that the batch exists, so an unknown one answers 404."""
        items = query_all(
            self.client,
            partition_query(
                self.table_name,
                keys.user_pk(sub),
                begins_with=keys.reminder_prefix(batch_id),
                ConsistentRead=True,
            ),
        )
        if not items:
            require_batch(self.client, self.table_name, sub, batch_id)
        return [reminder_from_item(item) for item in items]

    def mark_scheduled(self, sub: str, reminder: Reminder, now: datetime) -> Reminder | None:
        """pending -> scheduled once its schedule exists; None if it changed meanwhile
        (cancelled, say), in which case the caller removes the schedule again."""
        return self._transition(sub, reminder, ("pending",), "scheduled", now)

    def reopen(self, sub: str, reminder: Reminder, now: datetime) -> Reminder | None:
        """cancelled -> pending: the same reminder confirmed again after a cancel."""
        return self._transition(sub, reminder, ("cancelled",), "pending", now)

    def batch_with_latest_events(
        self, sub: str, batch_id: str, limit: int
    ) -> tuple[Batch, list[Event]]:
        """The batch and its `limit` latest events, newest first: one query, walking the
        event range backwards to the batch item, plus a GetItem only when a batch has
        more events than that."""
        response = self.client.query(
            **events_query(
                self.table_name,
                keys.user_pk(sub),
                batch_id,
                ScanIndexForward=False,
                Limit=limit + 1,
                ConsistentRead=True,
            )
        )
        items = response["Items"]
        batch_sk = keys.batch_sk(batch_id)
        batch_items = [item for item in items if item["SK"]["S"] == batch_sk]
        events = [event_from_item(item) for item in items if item["SK"]["S"] != batch_sk]
        if not batch_items:
            found = self.client.get_item(
                TableName=self.table_name, Key=batch_key(sub, batch_id), ConsistentRead=True
            )
            if "Item" not in found:
                raise NotFound("No such batch.")
            batch_items = [found["Item"]]
        return batch_from_item(batch_items[0]), events[:limit]

    def remove_pending(self, sub: str, reminder: Reminder, now: datetime) -> None:
        """Undo `add` when the schedule could not be made: no reminder stays behind
        that looks scheduled (a tombstone tells devices that pulled it meanwhile)."""
        record = reminder_to_item(sub, reminder)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": _key(sub, reminder),
                            "ConditionExpression": "#status = :pending",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":pending": s("pending")},
                        }
                    },
                    {"Put": {"TableName": self.table_name, "Item": tombstone_to_item(record, now)}},
                ]
            )
        except ClientError as exc:
            if not failed_conditions(exc):
                raise

    def move(
        self,
        sub: str,
        reminder: Reminder,
        *,
        due_at: datetime | None,
        text: str | None,
        repeat_every_hours: int | None,
        clear_repeat: bool,
        now: datetime,
    ) -> Reminder:
        """Change an open reminder read at its `version`. With a new due time it is
        scheduled again, whatever it was (a sent one is snoozed); without, only its text
        or repeat change."""
        update = Update(now).require_version(reminder.version)
        update.require_status(OPEN_REMINDER_STATUSES)
        if due_at is not None:
            update.set("dueAt", ts(due_at)).set("status", s("scheduled")).remove("sentAt")
            update.remove("failureReason").remove("deliveryAttempts")  # a retry starts afresh
        if text is not None:
            update.set("text", s(text))
        if repeat_every_hours is not None:
            update.set("repeatEveryHours", n(repeat_every_hours))
        if clear_repeat:
            update.remove("repeatEveryHours")
        return self._update(sub, reminder, update)

    def cancel(self, sub: str, batch_id: str, reminder_id: str, now: datetime) -> Reminder:
        return self._cancel(reminder_key(sub, batch_id, reminder_id), now)

    def cancel_care(self, sub: str, culture_id: str, reminder_id: str, now: datetime) -> Reminder:
        return self._cancel(culture_reminder_key(sub, culture_id, reminder_id), now)

    def _cancel(self, reminder_key: Item, now: datetime) -> Reminder:
        """Cancel an open reminder; cancelling a cancelled one returns it unchanged."""
        update = Update(now).set("status", s("cancelled")).require_status(OPEN_REMINDER_STATUSES)
        try:
            item = update_or_old(self.client, self.table_name, reminder_key, update)
        except ConditionFailed as failed:
            if failed.old is None:
                raise NotFound("No such reminder.") from None
            current = reminder_from_item(failed.old)
            if current.status == "cancelled":
                return current
            raise ReminderClosed(f"The reminder is {current.status}.") from None
        return reminder_from_item(item)

    def mark_sent(self, sub: str, reminder: Reminder, now: datetime) -> Reminder | None:
        """Claim the delivery: only one invocation gets a reminder back, the rest None.
        The batch must still be open at that moment."""
        update = Update(now).set("status", s("sent")).set("sentAt", ts(now))
        update.require_version(reminder.version).require_status(("pending", "scheduled"))
        write = update.in_transaction(self.table_name, _key(sub, reminder))
        items = self._under_open_owner(sub, reminder, write)
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            return None
        return msgspec.structs.replace(
            reminder, status="sent", sent_at=now, updated_at=now, version=reminder.version + 1
        )

    def unmark_sent(self, sub: str, sent: Reminder, now: datetime) -> None:
        """Give a delivery back when nothing reached anyone, so a retry may try again;
        the attempt is counted, so the last allowed one can tell it is the last."""
        update = Update(now).set("status", s("scheduled"))
        update.set("deliveryAttempts", n(sent.delivery_attempts + 1))
        update.require_status(("sent",)).require_version(sent.version)
        with contextlib.suppress(NotFound, StaleVersion, ReminderClosed):
            self._update(sub, sent, update)

    def mark_failed(
        self,
        sub: str,
        reminder: Reminder,
        reason: str,
        now: datetime,
        before: Sequence[ReminderStatus],
    ) -> Reminder | None:
        """Nothing reached the user (or nothing was to, by their own settings): the
        reminder says so, visibly, instead of staying `scheduled` or `sent` forever.
        None if it changed meanwhile."""
        update = Update(now).set("status", s("failed")).set("failureReason", s(reason))
        update.require_status(before).require_version(reminder.version)
        try:
            return self._update(sub, reminder, update)
        except (NotFound, StaleVersion, ReminderClosed):
            return None

    def complete(
        self,
        sub: str,
        reminder: Reminder,
        *,
        event: Event | CultureEvent,
        follow_up: Reminder | None,
        now: datetime,
    ) -> bool:
        """Done, in one transaction: the reminder closes, its event is logged (a culture's
        with its entry in the culture's stats: its last feed) and the next one (if it
        repeats) is written pending. False when the reminder changed since it was read
        (another `done` won): the caller reads what that one did."""
        update = Update(now).set("status", s("done")).set("doneAt", ts(event.occurred_at))
        update.set("doneEventId", s(event.id))
        if follow_up is not None:
            update.set("nextReminderId", s(follow_up.id))
        update.require_version(reminder.version).require_status(OPEN_REMINDER_STATUSES)
        logged = (
            culture_event_to_item(sub, event)
            if isinstance(event, CultureEvent)
            else event_to_item(sub, event)
        )
        writes = [
            update.in_transaction(self.table_name, _key(sub, reminder)),
            put_new(self.table_name, logged),
        ]
        if follow_up is not None:
            writes.append(put_new(self.table_name, reminder_to_item(sub, follow_up)))
        items = self._under_open_owner(
            sub, reminder, *writes, event=event if isinstance(event, CultureEvent) else None
        )
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise _owner_unavailable(reminder, failed[0]) from None
            if 1 in failed:
                return False
            raise
        return True

    def _under_open_owner(
        self,
        sub: str,
        reminder: Reminder,
        *writes: TransactWriteItemTypeDef,
        event: CultureEvent | None = None,
    ) -> list[TransactWriteItemTypeDef]:
        """`writes` on condition the reminder's batch (or culture) is open, checked first."""
        if reminder.culture_id is None:
            return under_open_batch(self.table_name, sub, reminder.owner_id, *writes)
        return [under_open_culture(self.table_name, sub, reminder.culture_id, event), *writes]

    def _transition(
        self,
        sub: str,
        reminder: Reminder,
        before: Sequence[ReminderStatus],
        after: ReminderStatus,
        now: datetime,
        expected_version: int | None = None,
    ) -> Reminder | None:
        update = Update(now).set("status", s(after)).require_status(before)
        if expected_version is not None:
            update.require_version(expected_version)
        try:
            return self._update(sub, reminder, update)
        except (NotFound, StaleVersion, ReminderClosed):
            return None

    def _update(self, sub: str, reminder: Reminder, update: Update) -> Reminder:
        """A conditional change of a stored reminder; a failure says why: gone, closed
        or changed since `reminder.version`."""
        try:
            item = update_or_old(
                self.client, self.table_name, _key(sub, reminder), update.require_item()
            )
        except ConditionFailed as failed:
            if failed.old is None:
                raise NotFound("No such reminder.") from None
            current = reminder_from_item(failed.old)
            if current.status not in OPEN_REMINDER_STATUSES:
                raise ReminderClosed(f"The reminder is {current.status}.") from None
            raise stale_version("reminder", reminder.version, current.version) from None
        return reminder_from_item(item)


def _key(sub: str, reminder: Reminder) -> Item:
    return key_of_reminder(sub, reminder)


def _owner_unavailable(reminder: Reminder, old: Item | None) -> Exception:
    if reminder.culture_id is None:
        return batch_unavailable(old, _REMINDERS)
    return culture_unavailable(old, "its reminders can no longer change")


def _snapshot(
    batch_item: Item | None,
    reminder_item: Item | None,
    profile_item: Item | None,
    culture: Culture | None = None,
    *,
    care: bool = False,
) -> Snapshot:
    batch = batch_from_item(batch_item) if batch_item else None
    reminder = reminder_from_item(reminder_item) if reminder_item else None
    if not profile_item:
        return Snapshot(batch=batch, reminder=reminder, culture=culture, care=care)
    profile = profile_from_item(profile_item)
    return Snapshot(
        batch=batch,
        reminder=reminder,
        culture=culture,
        care=care,
        notifications=profile.notifications,
        time_zone=profile.time_zone,
    )
