"""The profile item: `PK=USER#<sub>`, `SK=PROFILE`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from botocore.exceptions import ClientError

from app.domain.errors import AccountDeleted, NotFound
from app.domain.profiles import DEFAULT_TIME_ZONE, NotificationPreferences, Profile
from app.store.conditional import (
    ConditionFailed,
    Update,
    failed_conditions,
    put_new,
    update_or_old,
)
from app.store.deletions import not_deleted
from app.store.items import opt_str, profile_from_item, profile_key, profile_to_item, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ProfileChanges(msgspec.Struct, kw_only=True, frozen=True):
    display_name: str | None = None
    time_zone: str | None = None
    notifications: NotificationPreferences | None = None
    remove_display_name: bool = False


class ProfileStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def get(self, sub: str) -> Profile | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=profile_key(sub), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else profile_from_item(item)

    def create(self, profile: Profile) -> Profile:
        """Creates it unless a concurrent first request did (either way returns the stored
        one), and never for a deleted account: the tombstone check rides in the same
        transaction, so a deleted account's token cannot bring the profile back."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    not_deleted(self.table_name, profile.sub),
                    put_new(self.table_name, profile_to_item(profile)),
                ]
            )
        except ClientError as exc:
            failed = failed_conditions(exc)
            if not failed:
                raise
            if 0 in failed:
                raise AccountDeleted("This account was deleted.") from None
            stored = self.get(profile.sub)
            if stored is None:  # deleted in between: the caller retries as a new user
                raise NotFound("No profile.") from None
            return stored
        return profile

    def update(self, sub: str, changes: ProfileChanges, now: datetime) -> Profile:
        update = Update(now).require_item()
        if changes.display_name is not None:
            update.set("displayName", s(changes.display_name))
        if changes.time_zone is not None:
            update.set("timeZone", s(changes.time_zone))
        if changes.notifications is not None:
            update.set("notifications", s(msgspec.json.encode(changes.notifications).decode()))
        if changes.remove_display_name:
            update.remove("displayName")
        try:
            item = update_or_old(self.client, self.table_name, profile_key(sub), update)
        except ConditionFailed:
            raise NotFound("No profile.") from None
        return profile_from_item(item)

    def time_zone(self, sub: str) -> str:
        """The user's IANA zone for computing reminder times; UTC until they set one."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key=profile_key(sub),
            ProjectionExpression="#timeZone",
            ExpressionAttributeNames={"#timeZone": "timeZone"},
            ConsistentRead=True,
        )
        return opt_str(response.get("Item") or {}, "timeZone") or DEFAULT_TIME_ZONE
