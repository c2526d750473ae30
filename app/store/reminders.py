"""A batch's reminders, in the single table under `BATCH#<id>#REMINDER#<id>`.

Every status change is a conditional write on the status (and, where a client edits,
the version), so two deliveries, two `done` calls or a `done` racing a cancel cannot
both win. Writes that depend on the batch being open carry a condition check on the
batch item in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import msgspec
from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.batches import Batch, Event, EventType
from app.domain.errors import BatchClosed, NotFound, ReminderClosed, StaleVersion
from app.domain.reminders import OPEN_REMINDER_STATUSES, Reminder, ReminderStatus
from app.store import keys
from app.store.batches import batch_is_open
from app.store.conditional import (
    ConditionFailed,
    status_placeholders,
    status_values,
    update_or_old,
)
from app.store.items import (
    Item,
    batch_from_item,
    event_from_item,
    event_to_item,
    get_ts,
    n,
    opt_str,
    s,
    ts,
)
from app.store.partition import query_all
from app.store.profiles import profile_from_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


class Snapshot(msgspec.Struct, frozen=True):
    """A batch and one of its reminders, read together; either may be gone."""

    batch: Batch | None
    reminder: Reminder | None
    # The profile's switch; a user who never opened their profile gets reminders.
    notifications_on: bool = True


class ReminderStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def add(self, sub: str, reminder: Reminder) -> tuple[Reminder, bool]:
        """Write a new (pending) reminder under an open batch. The same id again (a
        retried confirm) returns the stored one and False instead of a second."""
        pk = keys.user_pk(sub)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": batch_is_open(self.table_name, pk, reminder.batch_id)},
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": reminder_to_item(sub, reminder),
                            "ConditionExpression": "attribute_not_exists(SK)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise _batch_problem(exc, reasons) from None  # checked first: a closed batch
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                return self.get(sub, reminder.batch_id, reminder.id), False
            raise
        return reminder, True

    def get(self, sub: str, batch_id: str, reminder_id: str) -> Reminder:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_key(sub, batch_id, reminder_id),
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            raise NotFound("No such reminder.")
        return reminder_from_item(item)

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
        return Snapshot(
            batch=batch_from_item(batch_item) if batch_item else None,
            reminder=reminder_from_item(reminder_item) if reminder_item else None,
            notifications_on=profile_from_item(profile_item).notifications.reminders
            if profile_item
            else True,
        )

    def list_for_batch(self, sub: str, batch_id: str) -> list[Reminder]:
        """All of a batch's reminders, by id (first due first). A batch has a handful; an
        empty answer checks that the batch exists, so an unknown one answers 404."""
        pk = keys.user_pk(sub)
        items = query_all(
            self.client,
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": s(pk),
                    ":prefix": s(keys.reminder_prefix(batch_id)),
                },
                "ConsistentRead": True,
            },
        )
        if not items:
            found = self.client.get_item(
                TableName=self.table_name,
                Key={"PK": s(pk), "SK": s(keys.batch_sk(batch_id))},
                ProjectionExpression="PK",
            )
            if "Item" not in found:
                raise NotFound("No such batch.")
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
        pk = keys.user_pk(sub)
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": s(pk),
                ":lo": s(keys.batch_sk(batch_id)),
                ":hi": s(keys.events_upper_bound(batch_id)),
            },
            ScanIndexForward=False,
            Limit=limit + 1,
            ConsistentRead=True,
        )
        items = response["Items"]
        batch_sk = keys.batch_sk(batch_id)
        batch_items = [item for item in items if item["SK"]["S"] == batch_sk]
        events = [event_from_item(item) for item in items if item["SK"]["S"] != batch_sk]
        if not batch_items:
            found = self.client.get_item(
                TableName=self.table_name,
                Key={"PK": s(pk), "SK": s(batch_sk)},
                ConsistentRead=True,
            )
            if "Item" not in found:
                raise NotFound("No such batch.")
            batch_items = [found["Item"]]
        return batch_from_item(batch_items[0]), events[:limit]

    def remove_pending(self, sub: str, reminder: Reminder) -> None:
        """Undo `add` when the schedule could not be made: no reminder stays behind
        that looks scheduled."""
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_key(sub, reminder.batch_id, reminder.id),
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": s("pending")},
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
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
        names = {"#status": "status", "#version": "version"}
        values: dict[str, Any] = {
            ":now": ts(now),
            ":one": n(1),
            ":expected": n(reminder.version),
            **status_values(OPEN_REMINDER_STATUSES),
        }
        sets = ["updatedAt = :now", "#version = #version + :one"]
        removes = []
        if due_at is not None:
            sets += ["dueAt = :due", "#status = :scheduled"]
            values[":due"] = ts(due_at)
            values[":scheduled"] = s("scheduled")
            removes.append("sentAt")
        if text is not None:
            sets.append("#text = :text")
            names["#text"] = "text"
            values[":text"] = s(text)
        if repeat_every_hours is not None:
            sets.append("repeatEveryHours = :repeat")
            values[":repeat"] = n(repeat_every_hours)
        if clear_repeat:
            removes.append("repeatEveryHours")
        expression = "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        return self._update(
            sub,
            reminder,
            expression,
            f"#version = :expected AND #status IN ({status_placeholders(OPEN_REMINDER_STATUSES)})",
            names,
            values,
        )

    def cancel(self, sub: str, batch_id: str, reminder_id: str, now: datetime) -> Reminder:
        """Cancel an open reminder; cancelling a cancelled one returns it unchanged."""
        try:
            item = update_or_old(
                self.client,
                TableName=self.table_name,
                Key=_key(sub, batch_id, reminder_id),
                UpdateExpression="SET #status = :cancelled, updatedAt = :now, "
                "#version = #version + :one",
                ConditionExpression=f"#status IN ({status_placeholders(OPEN_REMINDER_STATUSES)})",
                ExpressionAttributeNames={"#status": "status", "#version": "version"},
                ExpressionAttributeValues={
                    ":cancelled": s("cancelled"),
                    ":now": ts(now),
                    ":one": n(1),
                    **status_values(OPEN_REMINDER_STATUSES),
                },
            )
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
        pk = keys.user_pk(sub)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": batch_is_open(self.table_name, pk, reminder.batch_id)},
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": _key(sub, reminder.batch_id, reminder.id),
                            "UpdateExpression": "SET #status = :sent, sentAt = :now, "
                            "updatedAt = :now, #version = #version + :one",
                            "ConditionExpression": "#version = :expected AND #status IN (:s0, :s1)",
                            "ExpressionAttributeNames": {
                                "#status": "status",
                                "#version": "version",
                            },
                            "ExpressionAttributeValues": {
                                ":sent": s("sent"),
                                ":now": ts(now),
                                ":one": n(1),
                                ":expected": n(reminder.version),
                                **status_values(("pending", "scheduled")),
                            },
                        }
                    },
                ]
            )
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            return None
        return msgspec.structs.replace(
            reminder, status="sent", sent_at=now, updated_at=now, version=reminder.version + 1
        )

    def unmark_sent(self, sub: str, sent: Reminder, now: datetime) -> None:
        """Give a delivery back when nothing reached anyone, so a retry may try again."""
        self._transition(sub, sent, ("sent",), "scheduled", now, expected_version=sent.version)

    def complete(
        self,
        sub: str,
        reminder: Reminder,
        *,
        event: Event,
        follow_up: Reminder | None,
        now: datetime,
    ) -> bool:
        """Done, in one transaction: the reminder closes, its event is logged and the next
        one (if it repeats) is written pending. False when the reminder changed since it
        was read (another `done` won): the caller reads what that one did."""
        pk = keys.user_pk(sub)
        values: dict[str, Any] = {
            ":done": s("done"),
            ":now": ts(now),
            ":doneAt": ts(event.occurred_at),
            ":eventId": s(event.id),
            ":one": n(1),
            ":expected": n(reminder.version),
            **status_values(OPEN_REMINDER_STATUSES),
        }
        update = (
            "SET #status = :done, doneAt = :doneAt, doneEventId = :eventId, "
            "updatedAt = :now, #version = #version + :one"
        )
        if follow_up is not None:
            update += ", nextReminderId = :next"
            values[":next"] = s(follow_up.id)
        items: list[TransactWriteItemTypeDef] = [
            {"ConditionCheck": batch_is_open(self.table_name, pk, reminder.batch_id)},
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _key(sub, reminder.batch_id, reminder.id),
                    "UpdateExpression": update,
                    "ConditionExpression": "#version = :expected AND "
                    f"#status IN ({status_placeholders(OPEN_REMINDER_STATUSES)})",
                    "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                    "ExpressionAttributeValues": values,
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": event_to_item(sub, event),
                    "ConditionExpression": "attribute_not_exists(SK)",
                }
            },
        ]
        if follow_up is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": reminder_to_item(sub, follow_up),
                        "ConditionExpression": "attribute_not_exists(SK)",
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons = _cancellation_reasons(exc)
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise _batch_problem(exc, reasons) from None
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    def _transition(
        self,
        sub: str,
        reminder: Reminder,
        before: Sequence[ReminderStatus],
        after: ReminderStatus,
        now: datetime,
        expected_version: int | None = None,
    ) -> Reminder | None:
        condition = f"#status IN ({status_placeholders(before)})"
        values: dict[str, Any] = {
            ":after": s(after),
            ":now": ts(now),
            ":one": n(1),
            **status_values(before),
        }
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = n(expected_version)
        try:
            return self._update(
                sub,
                reminder,
                "SET #status = :after, updatedAt = :now, #version = #version + :one",
                condition,
                {"#status": "status", "#version": "version"},
                values,
            )
        except (NotFound, StaleVersion, ReminderClosed):
            return None

    def _update(
        self,
        sub: str,
        reminder: Reminder,
        expression: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
    ) -> Reminder:
        try:
            item = update_or_old(
                self.client,
                TableName=self.table_name,
                Key=_key(sub, reminder.batch_id, reminder.id),
                UpdateExpression=expression,
                ConditionExpression=f"attribute_exists(SK) AND {condition}",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ConditionFailed as failed:
            if failed.old is None:
                raise NotFound("No such reminder.") from None
            current = reminder_from_item(failed.old)
            if current.status not in OPEN_REMINDER_STATUSES:
                raise ReminderClosed(f"The reminder is {current.status}.") from None
            raise StaleVersion(
                f"The reminder was changed since version {reminder.version}; "
                f"it is now at version {current.version}. Reload it and try again."
            ) from None
        return reminder_from_item(item)


def _key(sub: str, batch_id: str, reminder_id: str) -> Item:
    return {"PK": s(keys.user_pk(sub)), "SK": s(keys.reminder_sk(batch_id, reminder_id))}


def _cancellation_reasons(exc: ClientError) -> list[dict[str, Any]]:
    if error_code(exc) != "TransactionCanceledException":
        raise exc
    return list(exc.response.get("CancellationReasons", []))  # type: ignore[arg-type]


def _batch_problem(exc: ClientError, reasons: list[dict[str, Any]]) -> Exception:
    batch_reason = reasons[0] if reasons else {}
    if batch_reason.get("Code") == "ConditionalCheckFailed":
        if "Item" not in batch_reason:
            return NotFound("No such batch.")
        status = batch_reason["Item"]["status"]["S"]
        return BatchClosed(f"The batch is {status}: its reminders can no longer change.")
    return exc


def reminder_to_item(sub: str, reminder: Reminder) -> Item:
    item: Item = {
        "PK": s(keys.user_pk(sub)),
        "SK": s(keys.reminder_sk(reminder.batch_id, reminder.id)),
        "entity": s("reminder"),
        "id": s(reminder.id),
        "batchId": s(reminder.batch_id),
        "action": s(reminder.action),
        "text": s(reminder.text),
        "dueAt": ts(reminder.due_at),
        "status": s(reminder.status),
        "createdAt": ts(reminder.created_at),
        "updatedAt": ts(reminder.updated_at),
        "version": n(reminder.version),
    }
    if reminder.repeat_every_hours is not None:
        item["repeatEveryHours"] = n(reminder.repeat_every_hours)
    if reminder.suggestion_key is not None:
        item["suggestionKey"] = s(reminder.suggestion_key)
    for name, value in (("sentAt", reminder.sent_at), ("doneAt", reminder.done_at)):
        if value is not None:
            item[name] = ts(value)
    for name, text in (
        ("doneEventId", reminder.done_event_id),
        ("nextReminderId", reminder.next_reminder_id),
    ):
        if text is not None:
            item[name] = s(text)
    return item


def reminder_from_item(item: Item) -> Reminder:
    repeat = item.get("repeatEveryHours")
    return Reminder(
        id=item["id"]["S"],
        batch_id=item["batchId"]["S"],
        action=cast(EventType, item["action"]["S"]),
        text=item["text"]["S"],
        due_at=get_ts(item, "dueAt"),
        status=cast(ReminderStatus, item["status"]["S"]),
        repeat_every_hours=None if repeat is None else int(repeat["N"]),
        suggestion_key=opt_str(item, "suggestionKey"),
        created_at=get_ts(item, "createdAt"),
        updated_at=get_ts(item, "updatedAt"),
        version=int(item["version"]["N"]),
        sent_at=get_ts(item, "sentAt") if "sentAt" in item else None,
        done_at=get_ts(item, "doneAt") if "doneAt" in item else None,
        done_event_id=opt_str(item, "doneEventId"),
        next_reminder_id=opt_str(item, "nextReminderId"),
    )
