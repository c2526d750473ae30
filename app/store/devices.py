"""Push devices: `DEVICE#<token hash>` in the owner's partition, plus one owner item
per token (`PUSHTOKEN#<hash>`, `OWNER`) that says whose it is.

A phone changes hands (or accounts): a token another user holds moves only with proof
that the caller has the device. The use case pushes a secret to the token and keeps a
claim item (`PUSHTOKEN#<hash>`, `CLAIM#<claimant>`: the secret's hash and a TTL); the
move is one transaction that rewrites the owner item, adds the new user's device item,
deletes the previous owner's and deletes the claim on the condition that the proof's
hash matches and the claim is still live, conditioned on the owner read just before. If
another registration got in between, the owner condition fails and the move is tried
again; a wrong or expired proof fails it for good.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.clock import utc_now
from app.domain.devices import Device, token_hash
from app.domain.errors import AccountDeleted, DeviceHeldElsewhere, InvalidInput, NotFound
from app.store import keys
from app.store.conditional import failed_conditions
from app.store.deletions import not_deleted
from app.store.items import (
    Item,
    device_from_item,
    device_key,
    device_to_item,
    key,
    n,
    owner_key,
    s,
    tombstone_to_item,
)
from app.store.table import partition_query, query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PutTypeDef, TransactWriteItemTypeDef

_MOVE_ATTEMPTS = 3
_BAD_PROOF = (
    "The proof does not match a live challenge for this device: register without it "
    "to have a new one pushed to the device."
)


class DeviceStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def register(
        self, sub: str, device: Device, *, proof: str | None = None, now: datetime
    ) -> str | None:
        """Make `sub` the token's only holder; returns the previous holder, if another.
        A token another account holds moves only with `proof` (the hash of the secret
        pushed to it, see offer_claim): without one DeviceHeldElsewhere, with a wrong or
        expired one InvalidInput naming `proof`."""
        hashed = token_hash(device.token)
        for _ in range(_MOVE_ATTEMPTS):
            previous = self.owner(hashed)
            moving = previous is not None and previous != sub
            if moving and proof is None:
                raise DeviceHeldElsewhere("This device is registered to another account.")
            items = [
                not_deleted(self.table_name, sub),
                *self._register_items(sub, device, hashed, previous),
            ]
            if moving and proof is not None:
                items.append(self._take_claim(sub, hashed, proof, now))
            try:
                self.client.transact_write_items(TransactItems=items)
            except ClientError as exc:
                failed = failed_conditions(exc)
                if 0 in failed:
                    raise AccountDeleted("This account was deleted.") from None
                if moving and len(items) - 1 in failed:
                    raise InvalidInput("proof", _BAD_PROOF) from None
                if not failed:
                    raise
                continue
            return previous if moving else None
        raise RuntimeError("push token ownership kept changing; giving up")

    def offer_claim(
        self, sub: str, hashed: str, proof: str, *, now: datetime, expires: datetime
    ) -> bool:
        """Record `sub`'s claim on a token held elsewhere, with the proof's hash; False
        (nothing written) while an earlier claim of theirs is still live, so a caller
        cannot have the device pushed to more than once per claim lifetime."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **key(keys.push_token_pk(hashed), keys.claim_sk(sub)),
                    "entity": s("push-token-claim"),
                    "sub": s(sub),
                    "proofHash": s(proof),
                    "expiresAt": n(int(expires.timestamp())),
                },
                ConditionExpression="attribute_not_exists(PK) OR expiresAt < :now",
                ExpressionAttributeValues={":now": n(int(now.timestamp()))},
            )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _take_claim(
        self, sub: str, hashed: str, proof: str, now: datetime
    ) -> TransactWriteItemTypeDef:
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": key(keys.push_token_pk(hashed), keys.claim_sk(sub)),
                "ConditionExpression": "proofHash = :proof AND expiresAt >= :now",
                "ExpressionAttributeValues": {
                    ":proof": s(proof),
                    ":now": n(int(now.timestamp())),
                },
            }
        }

    def owner(self, hashed: str) -> str | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=owner_key(hashed), ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else item["sub"]["S"]

    def unregister(self, sub: str, token: str, now: datetime | None = None) -> None:
        """Remove the caller's device; a token they do not hold answers 404."""
        self.remove(sub, token_hash(token), now)

    def remove(self, sub: str, hashed: str, now: datetime | None = None) -> None:
        """Remove the caller's device by its id (the token's hash), leaving a tombstone
        for sync; 404 if not theirs."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": device_key(sub, hashed),
                            "ConditionExpression": "attribute_exists(SK)",
                        }
                    },
                    _tombstone(self.table_name, sub, hashed, now or utc_now()),
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": owner_key(hashed),
                            "ConditionExpression": "#sub = :sub",
                            "ExpressionAttributeNames": {"#sub": "sub"},
                            "ExpressionAttributeValues": {":sub": s(sub)},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if not _lost_race(exc):
                raise
            raise NotFound("No such device.") from None

    def count(self, sub: str) -> int:
        """How many devices the user has: one Query that returns no items, only a count."""
        params = partition_query(
            self.table_name, keys.user_pk(sub), begins_with=keys.DEVICE, Select="COUNT"
        )
        total = 0
        while True:
            response = self.client.query(**params)
            total += response["Count"]
            if "LastEvaluatedKey" not in response:
                return total
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def list_devices(self, sub: str) -> list[Device]:
        items = query_all(
            self.client,
            partition_query(self.table_name, keys.user_pk(sub), begins_with=keys.DEVICE),
        )
        return [device_from_item(item) for item in items]

    def _register_items(
        self, sub: str, device: Device, hashed: str, previous: str | None
    ) -> list[TransactWriteItemTypeDef]:
        owner: Item = {**owner_key(hashed), "entity": s("push-token"), "sub": s(sub)}
        put_owner: PutTypeDef = {
            "TableName": self.table_name,
            "Item": owner,
            "ConditionExpression": "attribute_not_exists(PK)",
        }
        if previous is not None:
            put_owner["ConditionExpression"] = "#sub = :previous"
            put_owner["ExpressionAttributeNames"] = {"#sub": "sub"}
            put_owner["ExpressionAttributeValues"] = {":previous": s(previous)}
        items: list[TransactWriteItemTypeDef] = [
            {"Put": put_owner},
            {"Put": {"TableName": self.table_name, "Item": device_to_item(sub, device)}},
        ]
        if previous is not None and previous != sub:
            items.append(
                {"Delete": {"TableName": self.table_name, "Key": device_key(previous, hashed)}}
            )
            items.append(_tombstone(self.table_name, previous, hashed, device.updated_at))
        return items


def _tombstone(table_name: str, sub: str, hashed: str, now: datetime) -> TransactWriteItemTypeDef:
    record = {**device_key(sub, hashed), "entity": s("device"), "id": s(hashed)}
    return {"Put": {"TableName": table_name, "Item": tombstone_to_item(record, now)}}


def _lost_race(exc: ClientError) -> bool:
    return bool(failed_conditions(exc))
