"""The profile item: `PK=USER#<sub>`, `SK=PROFILE`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.errors import NotFound
from app.domain.profiles import DEFAULT_TIME_ZONE, NotificationPreferences, Profile
from app.store import keys
from app.store.items import Item, get_ts, n, opt_str, s, ts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_prefs_decoder = msgspec.json.Decoder(NotificationPreferences)


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
            TableName=self.table_name, Key=_key(sub), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else profile_from_item(item)

    def create(self, profile: Profile) -> Profile:
        """Creates it unless a concurrent first request did; either way returns the stored one."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=profile_to_item(profile),
                ConditionExpression="attribute_not_exists(SK)",
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            stored = self.get(profile.sub)
            if stored is None:  # deleted in between: the caller retries as a new user
                raise NotFound("No profile.") from None
            return stored
        return profile

    def update(self, sub: str, changes: ProfileChanges, now: datetime) -> Profile:
        names = {"#version": "version"}
        values: dict[str, Any] = {":one": n(1), ":now": ts(now)}
        sets = ["#version = #version + :one", "updatedAt = :now"]
        given: dict[str, str | None] = {
            "displayName": changes.display_name,
            "timeZone": changes.time_zone,
            "notifications": msgspec.json.encode(changes.notifications).decode()
            if changes.notifications is not None
            else None,
        }
        # Placeholders for every name: several (TIMEZONE among them) are reserved words.
        for attribute, value in given.items():
            if value is not None:
                names[f"#{attribute}"] = attribute
                values[f":{attribute}"] = s(value)
                sets.append(f"#{attribute} = :{attribute}")
        expression = "SET " + ", ".join(sets)
        if changes.remove_display_name:
            names["#displayName"] = "displayName"
            expression += " REMOVE #displayName"
        try:
            response = self.client.update_item(
                TableName=self.table_name,
                Key=_key(sub),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(SK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise NotFound("No profile.") from None
            raise
        return profile_from_item(response["Attributes"])

    def time_zone(self, sub: str) -> str:
        """The user's IANA zone for computing reminder times; UTC until they set one."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key=_key(sub),
            ProjectionExpression="#timeZone",
            ExpressionAttributeNames={"#timeZone": "timeZone"},
            ConsistentRead=True,
        )
        return opt_str(response.get("Item") or {}, "timeZone") or DEFAULT_TIME_ZONE


def _key(sub: str) -> Item:
    return {"PK": s(keys.user_pk(sub)), "SK": s(keys.PROFILE)}


def profile_to_item(profile: Profile) -> Item:
    item: Item = {
        **_key(profile.sub),
        "entity": s("profile"),
        "sub": s(profile.sub),
        "timeZone": s(profile.time_zone),
        "notifications": s(msgspec.json.encode(profile.notifications).decode()),
        "createdAt": ts(profile.created_at),
        "updatedAt": ts(profile.updated_at),
        "version": n(profile.version),
    }
    if profile.email is not None:
        item["email"] = s(profile.email)
    if profile.display_name is not None:
        item["displayName"] = s(profile.display_name)
    return item


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
