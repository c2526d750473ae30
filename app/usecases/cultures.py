"""Cultures: caring for one (events, stats, batches), splitting and giving it away, and
reading its family tree across accounts.

Every method is one route's worth of work. What another account may see of a culture is
decided here, from the lineage node's shared fields (`view_of`), never from the culture
item: notes, events and owners stay in the owner's partition.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from app.domain.batches import Batch
from app.domain.cultures import (
    BatchStart,
    Culture,
    CultureEvent,
    CultureEventType,
    CultureKind,
    CultureOrigin,
    CultureStats,
    CultureStatus,
    Gift,
    LineageNode,
    LineageView,
    MadeBatch,
    accepts_events,
    check_acquired_at,
    check_name,
    child_of,
    culture_stats,
    gift_code_hash,
    gift_state,
    gifted_name,
    missing_node,
    new_culture,
    new_culture_event,
    new_gift,
    new_gift_code,
    normalize_gift_code,
    view_of,
)
from app.domain.errors import GiftClaimed, GiftExpired, InvalidCursor, NotFound, ReminderClosed
from app.domain.idempotency import Idempotency
from app.domain.ids import is_ulid, known_id
from app.domain.reminders import OPEN_REMINDER_STATUSES, SCHEDULE_MAY_EXIST
from app.store import keys
from app.store.conditional import put_new
from app.store.cultures import (
    CultureRecord,
    CultureStore,
    culture_event_to_item,
    culture_to_item,
)
from app.store.lineage import LineageStore
from app.store.pages import Page
from app.store.profiles import ProfileStore

if TYPE_CHECKING:  # the public function serves culture pages without reminders
    from app.services.scheduler import ReminderScheduler
    from app.store.reminders import ReminderStore

# A family tree larger than this is cut (the answer says so): a page is for people.
MAX_DESCENDANTS = 500


class CultureDraft(msgspec.Struct, kw_only=True, frozen=True):
    name: str
    kind: CultureKind
    acquired_at: datetime | None = None
    origin: CultureOrigin = "unknown"
    notes: str | None = None
    public: bool = False


class CultureEdit(msgspec.Struct, kw_only=True, frozen=True):
    """Fields a PATCH sets (None: unchanged); `clear_notes` empties the notes."""

    name: str | None = None
    kind: CultureKind | None = None
    status: CultureStatus | None = None
    acquired_at: datetime | None = None
    origin: CultureOrigin | None = None
    notes: str | None = None
    clear_notes: bool = False
    public: bool | None = None


class EventDraft(msgspec.Struct, kw_only=True, frozen=True):
    type: CultureEventType
    occurred_at: datetime | None = None
    note: str | None = None
    grams: float | None = None


class CultureDetail(msgspec.Struct, kw_only=True, frozen=True):
    culture: Culture
    stats: CultureStats
    batches: list[MadeBatch]
    next_batches_cursor: str | None


class NewGift(msgspec.Struct, kw_only=True, frozen=True):
    """The code is in this answer only: the table keeps its hash."""

    code: str
    gift: Gift


class Lineage(msgspec.Struct, kw_only=True, frozen=True):
    culture: LineageView
    ancestors: list[LineageView]  # nearest first
    descendants: list[LineageView]  # generation by generation
    truncated: bool


class PublicCulture(msgspec.Struct, kw_only=True, frozen=True):
    lineage: Lineage
    shared_batches: list[Batch]
    acquired_at: datetime | None


class Cultures:
    def __init__(
        self,
        store: CultureStore,
        lineage: LineageStore,
        profiles: ProfileStore,
        reminders: ReminderStore | None = None,
        scheduler: ReminderScheduler | None = None,
    ) -> None:
        self.store = store
        self.lineage = lineage
        self.profiles = profiles
        # A culture retired, lost or deleted takes its care reminders' schedules along.
        self.reminders = reminders
        self.scheduler = scheduler

    # --- the culture itself --------------------------------------------------------

    def create(self, sub: str, draft: CultureDraft, now: datetime) -> Culture:
        culture = new_culture(
            name=draft.name,
            kind=draft.kind,
            acquired_at=draft.acquired_at,
            origin=draft.origin,
            notes=draft.notes,
            public=draft.public,
            now=now,
        )
        return self.store.create(sub, culture)

    def list_cultures(self, sub: str, *, limit: int, cursor: str | None) -> Page[Culture]:
        return self.store.list_cultures(sub, limit=limit, cursor=cursor)

    def detail(
        self, sub: str, culture_id: str, now: datetime, *, limit: int, cursor: str | None
    ) -> CultureDetail:
        """One GetItem: the culture item keeps what its stats and its batch list need
        (`made`, written with each batch); the answer pages the batches newest first."""
        record = self.store.get(sub, known_id(culture_id, "culture"))
        if cursor is not None and not is_ulid(cursor):
            raise InvalidCursor("The cursor is not one this API issued.")
        after = [b for b in record.made if cursor is None or b.id < cursor]
        page = after[:limit]
        return CultureDetail(
            culture=record.culture,
            stats=_stats(record, now),
            batches=page,
            next_batches_cursor=page[-1].id if len(after) > limit else None,
        )

    def update(
        self,
        sub: str,
        culture_id: str,
        version: int,
        edit: CultureEdit,
        now: datetime,
        once: Idempotency | None = None,
    ) -> Culture:
        """Read, apply, write on condition of the version read: the write also carries the
        shared fields to the lineage node, in the same transaction. A replayed `once` (a
        pushed mutation sent again) answers the culture as it is now."""
        current = self.store.get(sub, known_id(culture_id, "culture")).culture
        if edit.acquired_at is not None:
            check_acquired_at(edit.acquired_at, now)
        changes: dict[str, object] = {
            field: value
            for field, value in (
                ("name", check_name(edit.name) if edit.name is not None else None),
                ("kind", edit.kind),
                ("status", edit.status),
                ("acquired_at", edit.acquired_at),
                ("origin", edit.origin),
                ("notes", edit.notes),
                ("public", edit.public),
            )
            if value is not None
        }
        if edit.clear_notes:
            changes["notes"] = None
        updated = msgspec.structs.replace(current, **changes, updated_at=now, version=version + 1)
        if not self.store.save_changes(sub, updated, version, once):
            return self.store.get(sub, culture_id).culture
        if not accepts_events(updated.status):
            self._cancel_care(sub, culture_id, now)
        return updated

    def delete(self, sub: str, culture_id: str, now: datetime) -> None:
        """The culture item first (no event can be added under it after), its node retired,
        its gift codes revoked, then the rest; a retry finishes an interrupted one. The
        culture and its events leave tombstones for sync, written before they go."""
        found = self.store.delete_keys_under(sub, known_id(culture_id, "culture"))
        if not found:
            raise NotFound("No such culture.")
        self.store.bury(found, now)
        if self.scheduler is not None:  # best effort: a schedule left fires into nothing
            for item in found:
                if item["entity"]["S"] == "reminder" and item["status"]["S"] in SCHEDULE_MAY_EXIST:
                    self.scheduler.forget(item["id"]["S"])
        self.lineage.retire_node(culture_id)
        culture_sk = keys.culture_sk(culture_id)
        self.store.delete_items([k for k in found if k["SK"]["S"] == culture_sk])
        while found:
            for item in found:
                if "codeHash" in item:
                    self.lineage.delete_gift(item["codeHash"]["S"])
            self.store.delete_items(found)
            found = self.store.delete_keys_under(sub, culture_id)
            self.store.bury(found, now)

    # --- the event log -------------------------------------------------------------

    def add_event(
        self, sub: str, culture_id: str, draft: EventDraft, now: datetime
    ) -> CultureEvent:
        event = new_culture_event(
            culture_id=known_id(culture_id, "culture"),
            type=draft.type,
            occurred_at=draft.occurred_at,
            note=draft.note,
            grams=draft.grams,
            now=now,
        )
        return self.store.add_event(sub, event)

    def log(self, sub: str, event: CultureEvent, once: Idempotency | None = None) -> CultureEvent:
        """An event built by the caller (a pushed mutation, with the device's id)."""
        return self.store.add_event(sub, event, once)

    def events(
        self, sub: str, culture_id: str, *, limit: int, cursor: str | None
    ) -> Page[CultureEvent]:
        culture_id = known_id(culture_id, "culture")
        return self.store.list_events(sub, culture_id, limit=limit, cursor=cursor)

    def delete_event(self, sub: str, culture_id: str, event_id: str, now: datetime) -> None:
        event_id = known_id(event_id, "event")
        self.store.delete_event(sub, known_id(culture_id, "culture"), event_id, now)

    # --- lineage -------------------------------------------------------------------

    def split(
        self, sub: str, culture_id: str, name: str | None, notes: str | None, now: datetime
    ) -> Culture:
        """A child in the same account; the parent logs the split. One read, one
        transaction (which fails if the parent was closed or deleted meanwhile)."""
        parent = self.store.get(sub, known_id(culture_id, "culture")).culture
        child = child_of(
            parent.id,
            parent.ancestors,
            name=name if name is not None else f"{parent.name} (split)",
            kind=parent.kind,
            origin="split",
            notes=notes,
            now=now,
        )
        event = new_culture_event(
            culture_id=parent.id,
            type="split",
            occurred_at=now,
            note=f"Split off {child.name}",
            grams=None,
            now=now,
        )
        self.lineage.add_child(
            sub,
            child,
            culture_to_item(sub, child),
            self.store.culture_is_open(sub, parent.id),
            [put_new(self.store.table_name, culture_event_to_item(sub, event))],
        )
        return child

    def create_gift(self, sub: str, culture_id: str, now: datetime) -> NewGift:
        culture = self.store.get(sub, known_id(culture_id, "culture")).culture
        code = new_gift_code()
        gift = new_gift(culture, sub, code, now)
        self.lineage.create_gift(gift, self.store.culture_is_open(sub, culture.id))
        return NewGift(code=code, gift=gift)

    def gift_for_label(self, sub: str, culture_id: str, code: str, now: datetime) -> Gift:
        """Only the giver prints a gift's label, and only while it can still be claimed."""
        normalized = normalize_gift_code(code)
        gift = self.lineage.gift(gift_code_hash(normalized)) if normalized else None
        if gift is None or gift.giver_sub != sub or gift.culture_id != culture_id:
            raise NotFound("No such gift code.")
        _check_open(gift, now)
        return gift

    def claim(self, sub: str, code: str, name: str | None, now: datetime) -> Culture:
        """One read of the gift, one transaction; of concurrent claims exactly one
        succeeds (the transaction's condition on the gift), the others answer 409."""
        normalized = normalize_gift_code(code)
        gift = self.lineage.gift(gift_code_hash(normalized)) if normalized else None
        if gift is None:
            raise NotFound("No such gift code.")
        _check_open(gift, now)
        child = child_of(
            gift.culture_id,
            gift.parent_ancestors,
            name=name if name is not None else gifted_name(gift.kind),
            kind=gift.kind,
            origin="gift",
            notes=None,
            now=now,
        )
        self.lineage.claim(gift, sub, child, culture_to_item(sub, child))
        return child

    def family_tree(self, sub: str, culture_id: str, now: datetime) -> Lineage:
        node = self.lineage.node(known_id(culture_id, "culture"))
        if node is None or node.deleted or node.owner_sub != sub:
            raise NotFound("No such culture.")
        return self._tree(node, sub, now)

    def public_culture(self, culture_id: str, now: datetime, *, batches: int) -> PublicCulture:
        """The page anyone may read: the shared fields, the tree as nobody in particular
        sees it, and the culture's batches that are shared themselves."""
        node = self.lineage.node(culture_id) if is_ulid(culture_id) else None
        if node is None or node.deleted or not node.public or node.owner_sub is None:
            raise NotFound("No such shared culture.")
        return PublicCulture(
            lineage=self._tree(node, None, now),
            shared_batches=self.store.shared_batches(node.owner_sub, node.id, batches),
            acquired_at=node.acquired_at,
        )

    def _tree(self, me: LineageNode, viewer: str | None, now: datetime) -> Lineage:
        """One BatchGetItem for the ancestors and the first generation below, then one
        per further generation: the node's ancestors list saves walking up."""
        first = [*me.ancestors, *me.children]
        fetched = self.lineage.nodes(first) if first else {}
        ancestors = []
        for i, ancestor_id in enumerate(me.ancestors):
            parent = me.ancestors[i + 1] if i + 1 < len(me.ancestors) else None
            node = fetched.get(ancestor_id) or missing_node(
                ancestor_id, parent, me.generation - i - 1
            )
            ancestors.append(view_of(node, viewer, now))
        descendants: list[LineageView] = []
        level = [(child, me) for child in me.children]
        truncated = False
        while level:
            nodes = [
                fetched.get(cid) or missing_node(cid, parent.id, parent.generation + 1)
                for cid, parent in level
            ]
            room = MAX_DESCENDANTS - len(descendants)
            if len(nodes) > room:
                nodes, truncated = nodes[:room], True
            descendants.extend(view_of(n, viewer, now) for n in nodes)
            if truncated:
                break
            level = [(cid, n) for n in nodes for cid in n.children]
            if level:
                fetched = self.lineage.nodes(cid for cid, _ in level)
        return Lineage(
            culture=view_of(me, viewer, now),
            ancestors=ancestors,
            descendants=descendants,
            truncated=truncated,
        )

    def _cancel_care(self, sub: str, culture_id: str, now: datetime) -> None:
        """Cancel the open care reminders of a culture that was retired or lost (like a
        finished batch's), best effort on the scheduler: a schedule left behind fires
        into a cancelled reminder, which the delivery skips."""
        if self.reminders is None:
            return
        for reminder in self.reminders.list_for_culture(sub, culture_id):
            if reminder.status not in OPEN_REMINDER_STATUSES:
                continue
            try:
                self.reminders.cancel_care(sub, culture_id, reminder.id, now)
            except (ReminderClosed, NotFound):
                continue
            if self.scheduler is not None:
                self.scheduler.forget(reminder.id)


def _check_open(gift: Gift, now: datetime) -> None:
    state = gift_state(gift, now)
    if state == "claimed":
        raise GiftClaimed("This gift code was claimed already.")
    if state == "expired":
        raise GiftExpired("This gift code has expired; ask the giver for a new one.")


def _stats(record: CultureRecord, now: datetime) -> CultureStats:
    return culture_stats(
        record.culture,
        [BatchStart(kind=b.kind, started_at=b.started_at) for b in record.made],
        record.feeds,
        record.weights,
        now,
    )
