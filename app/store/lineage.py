"""Lineage nodes and gift codes: the items outside every user's partition.

A node (`LINEAGE#<id>`, `NODE`) mirrors what the tree needs of a culture: its owner (which
never leaves the store and the use cases), its parent, its ancestors (nearest first, fixed
at birth), its children and the fields its owner may share. Ancestors on the node make a
family tree readable level by level: one GetItem for the culture's own node, then one
BatchGetItem per level, so a tree of depth d costs at most d+1 calls.

A gift (`GIFT#<sha256 of the code>`, `GIFT`) is found by its code's hash alone; it carries
`expiresAt` (epoch seconds) for the table's TTL, and a pointer item in the giver's
partition lets account deletion find it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from app.aws_errors import error_code
from app.domain.cultures import Culture, CultureKind, Gift, LineageNode
from app.domain.errors import AccountDeleted, CultureClosed, GiftClaimed, GiftExpired, NotFound
from app.store import keys
from app.store.conditional import failed_conditions, put_new
from app.store.deletions import not_deleted
from app.store.items import Item, get_ts, key, n, opt_str, s, ts

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef

_BATCH_GET_LIMIT = 100


def _node_key(culture_id: str) -> Item:
    return key(keys.lineage_pk(culture_id), keys.NODE)


def _gift_key(code_hash: str) -> Item:
    return key(keys.gift_pk(code_hash), keys.GIFT_SK)


def node_item(owner_sub: str, culture: Culture) -> Item:
    item: Item = {
        **_node_key(culture.id),
        "entity": s("lineage"),
        "id": s(culture.id),
        "owner": s(owner_sub),
        "ancestors": {"L": [s(a) for a in culture.ancestors]},
        "generation": n(culture.generation),
        "public": {"BOOL": culture.public},
        "name": s(culture.name),
        "kind": s(culture.kind),
        "acquiredAt": ts(culture.acquired_at),
        "version": n(1),
    }
    if culture.parent_id is not None:
        item["parentId"] = s(culture.parent_id)
    return item


def node_update(table_name: str, culture: Culture) -> dict[str, Any]:
    """The node's mirror of the culture's shareable fields, for a culture's transaction."""
    return {
        "TableName": table_name,
        "Key": _node_key(culture.id),
        "UpdateExpression": (
            "SET #name = :name, kind = :kind, acquiredAt = :acquired, #public = :public, "
            "version = version + :one"
        ),
        "ConditionExpression": "attribute_exists(PK)",
        "ExpressionAttributeNames": {"#name": "name", "#public": "public"},
        "ExpressionAttributeValues": {
            ":name": s(culture.name),
            ":kind": s(culture.kind),
            ":acquired": ts(culture.acquired_at),
            ":public": {"BOOL": culture.public},
            ":one": n(1),
        },
    }


def node_from_item(item: Item) -> LineageNode:
    kind = opt_str(item, "kind")
    return LineageNode(
        id=item["id"]["S"],
        owner_sub=opt_str(item, "owner"),
        parent_id=opt_str(item, "parentId"),
        ancestors=tuple(a["S"] for a in item.get("ancestors", {}).get("L", [])),
        generation=int(item["generation"]["N"]),
        children=tuple(sorted(item.get("children", {}).get("SS", []))),
        public=bool(item.get("public", {}).get("BOOL", False)),
        name=opt_str(item, "name"),
        kind=cast("CultureKind | None", kind),
        acquired_at=get_ts(item, "acquiredAt") if "acquiredAt" in item else None,
        deleted=bool(item.get("deleted", {}).get("BOOL", False)),
    )


def gift_to_item(gift: Gift) -> Item:
    return {
        **_gift_key(gift.code_hash),
        "entity": s("gift"),
        "codeHash": s(gift.code_hash),
        "cultureId": s(gift.culture_id),
        "giver": s(gift.giver_sub),
        "name": s(gift.name),
        "kind": s(gift.kind),
        "parentAncestors": {"L": [s(a) for a in gift.parent_ancestors]},
        "createdAt": ts(gift.created_at),
        "expiresAt": n(int(gift.expires_at.timestamp())),
        "version": n(1),
    }


def gift_from_item(item: Item) -> Gift:
    claimed = opt_str(item, "claimedAt")
    return Gift(
        code_hash=item["codeHash"]["S"],
        culture_id=item["cultureId"]["S"],
        giver_sub=item["giver"]["S"],
        name=item["name"]["S"],
        kind=cast(CultureKind, item["kind"]["S"]),
        parent_ancestors=tuple(a["S"] for a in item.get("parentAncestors", {}).get("L", [])),
        created_at=get_ts(item, "createdAt"),
        expires_at=datetime.fromtimestamp(int(item["expiresAt"]["N"]), UTC),
        claimed_at=datetime.fromisoformat(claimed) if claimed else None,
        claimed_culture_id=opt_str(item, "claimedCultureId"),
    )


def gift_pointer_item(gift: Gift) -> Item:
    """In the giver's partition: lets account deletion find the gift; expires with it."""
    return {
        "PK": s(keys.user_pk(gift.giver_sub)),
        "SK": s(keys.culture_gift_sk(gift.culture_id, gift.code_hash)),
        "entity": s("gift_code"),
        "cultureId": s(gift.culture_id),
        "codeHash": s(gift.code_hash),
        "createdAt": ts(gift.created_at),
        "expiresAt": n(int(gift.expires_at.timestamp())),
        "version": n(1),
    }


class LineageStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def node(self, culture_id: str) -> LineageNode | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=_node_key(culture_id), ConsistentRead=True
        ).get("Item")
        return None if item is None else node_from_item(item)

    def nodes(self, culture_ids: Iterable[str]) -> dict[str, LineageNode]:
        """One BatchGetItem per 100 ids (more only for keys DynamoDB leaves unprocessed);
        ids with no node are absent from the result."""
        wanted = list(dict.fromkeys(culture_ids))
        found: dict[str, LineageNode] = {}
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table_name: {
                    "Keys": [_node_key(i) for i in wanted[start : start + _BATCH_GET_LIMIT]],
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table_name, []):
                    node = node_from_item(item)
                    found[node.id] = node
                request = dict(response.get("UnprocessedKeys") or {})
        return found

    def add_child(
        self,
        owner_sub: str,
        child: Culture,
        child_item: Item,
        parent_open: Any,
        extra: list[TransactWriteItemTypeDef],
    ) -> None:
        """A split: the child culture and its node, and the parent's node gains the child,
        if the parent culture is still open. One transaction."""
        try:
            self._write(
                {"ConditionCheck": parent_open},
                put_new(self.table_name, child_item),
                put_new(self.table_name, node_item(owner_sub, child)),
                {"Update": cast("UpdateTypeDef", self._gains_child(child))},
                *extra,
            )
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise culture_unavailable(failed[0], "it can no longer be split") from None
            if 3 in failed:
                raise NotFound("No such culture.") from None
            raise

    def create_gift(self, gift: Gift, culture_open: Any) -> None:
        try:
            self._write(
                {"ConditionCheck": culture_open},
                put_new(self.table_name, gift_to_item(gift)),
                {"Put": {"TableName": self.table_name, "Item": gift_pointer_item(gift)}},
            )
        except ClientError as exc:
            failed = failed_conditions(exc)
            if 0 in failed:
                raise culture_unavailable(failed[0], "it can no longer be given") from None
            raise

    def _write(self, *items: TransactWriteItemTypeDef) -> None:
        self.client.transact_write_items(TransactItems=list(items))

    def gift(self, code_hash: str) -> Gift | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=_gift_key(code_hash), ConsistentRead=True
        ).get("Item")
        return None if item is None else gift_from_item(item)

    def claim(self, gift: Gift, recipient_sub: str, child: Culture, child_item: Item) -> None:
        """Marks the gift claimed, writes the recipient's culture and its node, and adds it
        to the parent's children: one transaction, whose condition on the gift lets exactly
        one of any number of concurrent claims through."""
        now = child.created_at
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": _gift_key(gift.code_hash),
                            "UpdateExpression": (
                                "SET claimedAt = :now, claimedCultureId = :child, "
                                "version = version + :one"
                            ),
                            "ConditionExpression": (
                                "attribute_exists(PK) AND attribute_not_exists(claimedAt) "
                                "AND expiresAt > :epoch"
                            ),
                            "ExpressionAttributeValues": {
                                ":now": ts(now),
                                ":child": s(child.id),
                                ":one": n(1),
                                ":epoch": n(int(now.timestamp())),
                            },
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    put_new(self.table_name, child_item),
                    put_new(self.table_name, node_item(recipient_sub, child)),
                    {"Update": cast("UpdateTypeDef", self._gains_child(child))},
                    not_deleted(self.table_name, recipient_sub),
                ]
            )
        except ClientError as exc:
            raise _why_claim_failed(exc) from None

    def delete_gift(self, code_hash: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=_gift_key(code_hash))

    def retire_node(self, culture_id: str) -> None:
        """The culture is deleted: its node goes, unless other cultures descend from it;
        then it stays as a tombstone holding only the tree's shape (no owner, no name),
        so descendants in other accounts still see where they come from. Safe to repeat."""
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_node_key(culture_id),
                ConditionExpression="attribute_not_exists(children)",
            )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            self.client.update_item(
                TableName=self.table_name,
                Key=_node_key(culture_id),
                UpdateExpression=(
                    "SET deleted = :yes, #public = :no REMOVE #owner, #name, kind, acquiredAt"
                ),
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#owner": "owner", "#name": "name", "#public": "public"},
                ExpressionAttributeValues={":yes": {"BOOL": True}, ":no": {"BOOL": False}},
            )

    def _gains_child(self, child: Culture) -> dict[str, Any]:
        """The parent node gains the child, unless the parent culture was deleted."""
        assert child.parent_id is not None
        return {
            "TableName": self.table_name,
            "Key": _node_key(child.parent_id),
            "UpdateExpression": "ADD children :child",
            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(deleted)",
            "ExpressionAttributeValues": {":child": {"SS": [child.id]}},
        }


def culture_unavailable(old: Item | None, what: str) -> NotFound | CultureClosed:
    """Why a check that the culture is open failed: it is gone, or retired or lost."""
    if old is None:
        return NotFound("No such culture.")
    return CultureClosed(f"The culture is {old['status']['S']}: {what}.")


def _why_claim_failed(exc: ClientError) -> Exception:
    failed = failed_conditions(exc)
    if 0 in failed:
        old = failed[0]
        if old is None:
            return NotFound("No such gift code.")
        if "claimedAt" in old:
            return GiftClaimed("This gift code was claimed already.")
        return GiftExpired("This gift code has expired; ask the giver for a new one.")
    if 3 in failed:
        return NotFound("The culture this gift came from no longer exists.")
    if 4 in failed:
        return AccountDeleted("This account was deleted.")
    return exc
