"""The caller's own account: the profile (created on first use), and deleting all of it.

Deleting an account (`delete`, then `resume` until it says finished):

1. The tombstone (`DELETED#<sub>`) is written first. From then on nothing can be
   created for the account: the profile, a batch and a device are the only writes that
   start from nothing, and each carries a check of the tombstone in its transaction;
   every other write needs an item of the partition, which the deletion empties. A
   write refused that way, or a 404 for the caller, answers 410.
2. The user is signed out of Cognito (refresh tokens revoked), so no new access token
   is issued; the ones already issued are refused as above.
3. Bounded runs: a page of the partition at a time, deleting the schedules of the
   reminders that can still have one (pending, scheduled; done, sent and cancelled
   ones fired or were deleted), releasing push tokens, deleting the items. When the
   partition is empty, the S3 objects (every version), then the Cognito user, then the
   tombstone says `deleted`. A run that reaches its item budget hands the rest to a
   one-time schedule that invokes the reminders function, which continues the same way.

Every step is safe to repeat: a run cut short anywhere is finished by the next one
(or by calling DELETE /me again while the Cognito user still exists).
"""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime

import msgspec

from app.domain.accounts import (
    CONTINUE_AFTER,
    ITEMS_PER_RUN,
    AccountDeletion,
    DeletionProgress,
)
from app.domain.errors import AccountDeleted, InvalidInput, NotFound
from app.domain.profiles import Profile, check_quiet_hours, check_time_zone, new_profile
from app.logs import get_logger
from app.services.auth import Principal
from app.services.cognito import UserDirectory
from app.services.photos import PhotoObjects
from app.services.scheduler import AccountDeletionTarget, ReminderScheduler
from app.store.deletions import DeletionStore
from app.store.devices import DeviceStore
from app.store.lineage import LineageStore
from app.store.partition import UserPartition
from app.store.profiles import ProfileChanges, ProfileStore
from app.usecases.sensors import Forget

__all__ = ["Account", "ProfileChanges"]

log = get_logger(__name__)

# A page of the partition per Query: small enough that one page's schedules and
# BatchWriteItems finish well inside a request, large enough to need few Queries.
_PAGE = 500


class Account:
    def __init__(
        self,
        profiles: ProfileStore,
        deletions: DeletionStore,
        partition: UserPartition,
        devices: DeviceStore,
        scheduler: ReminderScheduler | None,
        objects: PhotoObjects | None,
        directory: UserDirectory,
        lineage: LineageStore,
        items_per_run: int = ITEMS_PER_RUN,
        forget: Forget | None = None,
    ) -> None:
        self.profiles = profiles
        self.deletions = deletions
        self.items_per_run = items_per_run
        self.forget = forget
        self.partition = partition
        self.devices = devices
        self.scheduler = scheduler
        self.objects = objects
        self.directory = directory
        self.lineage = lineage

    def profile(self, principal: Principal, now: datetime) -> Profile:
        """The stored profile, created on first use with the email the pool has for the user."""
        found = self.profiles.get(principal.sub)
        if found is not None:
            return found
        email = principal.email or self.directory.email_of(principal.username)
        return self.profiles.create(new_profile(principal.sub, email, now))

    def update_profile(
        self, principal: Principal, changes: ProfileChanges, now: datetime
    ) -> Profile:
        if changes.display_name is not None:
            if not changes.display_name.strip():
                raise InvalidInput("displayName", "displayName cannot be blank.")
            changes = msgspec.structs.replace(changes, display_name=changes.display_name.strip())
        if changes.time_zone is not None:
            check_time_zone(changes.time_zone)
        if changes.notifications is not None:
            check_quiet_hours(changes.notifications.quiet_start, "notifications.quietStart")
            check_quiet_hours(changes.notifications.quiet_end, "notifications.quietEnd")
        self.profile(principal, now)
        try:
            return self.profiles.update(principal.sub, changes, now)
        except NotFound:
            raise NotFound("The account was deleted meanwhile.") from None

    def is_deleted(self, sub: str) -> bool:
        """Whether the account was deleted (or is being deleted): one GetItem, asked only
        where a request already failed (a 404 for the caller), never on the way in."""
        return self.deletions.get(sub) is not None

    def delete(self, principal: Principal, now: datetime) -> DeletionProgress:
        """The first run of the deletion; not `finished` means it goes on asynchronously.
        A deletion that already finished answers AccountDeleted."""
        deletion = self.deletions.begin(principal.sub, principal.username, now)
        if deletion.state == "deleted":
            raise AccountDeleted("This account was deleted.")
        self.directory.sign_out(principal.username)
        return self._run(deletion, now)

    def continue_deletion(self, target: AccountDeletionTarget, now: datetime) -> DeletionProgress:
        """A later run, from the reminders function. Only an account whose tombstone says
        `deleting` is touched: the event alone never deletes anything."""
        deletion = self.deletions.get(target.sub)
        if deletion is None or deletion.username != target.username:
            log.error("account_deletion_unknown", user=target.sub)
            return DeletionProgress(finished=True)
        if deletion.state == "deleted":
            return DeletionProgress(finished=True)
        return self._run(deletion, now)

    def _run(self, deletion: AccountDeletion, now: datetime) -> DeletionProgress:
        sub = deletion.sub
        items = schedules = devices = 0
        # Without a scheduler to continue on, a run goes on until the end.
        budget = self.items_per_run if self.scheduler is not None else sys.maxsize
        while items < budget:
            page = self.partition.first_page(sub, min(_PAGE, budget - items))
            if not page.keys:
                break
            if self.scheduler is not None:  # without one, no reminder has a schedule
                for reminder_id in page.scheduled_reminder_ids:
                    schedules += self.scheduler.delete(reminder_id)
            for token in page.device_tokens:
                with contextlib.suppress(NotFound):  # the token moved on to someone else
                    self.devices.unregister(sub, token)
                    devices += 1
            # Cultures: descendants in other accounts keep a tombstone parent ("a deleted
            # culture"); gift codes not yet claimed stop working. Both before the items
            # naming them go, so an interrupted run finds them again.
            for culture_id in page.culture_ids:
                self.lineage.retire_node(culture_id)
            for code_hash in page.gift_hashes:
                self.lineage.delete_gift(code_hash)
            if self.forget is not None:  # readings partitions and ingest tokens
                self.forget.partition_page(sub, page.batch_ids, page.sensor_token_hashes)
            self.partition.delete(page.keys)
            items += len(page.keys)
        else:
            return self._later(deletion, now, items=items, schedules=schedules, devices=devices)
        objects = self.objects.delete_user(sub) if self.objects is not None else 0
        self.directory.delete_user(deletion.username)
        self.deletions.finish(sub, now)
        log.info("account_deleted", items=items, schedules=schedules, objects=objects)
        return DeletionProgress(
            finished=True, items=items, schedules=schedules, devices=devices, objects=objects
        )

    def _later(
        self, deletion: AccountDeletion, now: datetime, *, items: int, schedules: int, devices: int
    ) -> DeletionProgress:
        assert self.scheduler is not None  # the budget applies only with one
        target = AccountDeletionTarget(sub=deletion.sub, username=deletion.username)
        name = self.scheduler.continue_account_deletion(target, now + CONTINUE_AFTER)
        log.info("account_deletion_continues", items=items, schedule=name)
        return DeletionProgress(finished=False, items=items, schedules=schedules, devices=devices)
