"""The caller's own account: the profile (created on first use), and deleting all of it.

Deletion removes everything the user has, the Cognito user last: until the very end
the person can sign in again and retry, and every step is safe to repeat.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import msgspec

from app.domain.errors import InvalidInput, NotFound
from app.domain.profiles import Profile, check_quiet_hours, check_time_zone, new_profile
from app.services.auth import Principal
from app.services.cognito import UserDirectory
from app.services.photos import PhotoObjects
from app.services.scheduler import ReminderScheduler
from app.store.devices import DeviceStore
from app.store.lineage import LineageStore
from app.store.partition import UserPartition
from app.store.profiles import ProfileChanges, ProfileStore

__all__ = ["Account", "ProfileChanges"]


class Account:
    def __init__(
        self,
        profiles: ProfileStore,
        partition: UserPartition,
        devices: DeviceStore,
        scheduler: ReminderScheduler | None,
        objects: PhotoObjects | None,
        directory: UserDirectory,
        lineage: LineageStore,
    ) -> None:
        self.profiles = profiles
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

    def delete(self, principal: Principal) -> None:
        """A schedule already fired or deleted is fine; a scheduler failure fails the
        deletion (not best effort), which the user can retry."""
        sub = principal.sub
        belongings = self.partition.belongings(sub)
        if self.scheduler is not None:
            for reminder_id in belongings.reminder_ids:
                self.scheduler.delete(reminder_id)
        for token in belongings.device_tokens:
            with contextlib.suppress(NotFound):  # the token moved on to someone else
                self.devices.unregister(sub, token)
        if self.objects is not None:
            self.objects.delete_user(sub)
        # Cultures: descendants in other accounts keep a tombstone parent ("a deleted
        # culture"); gift codes not yet claimed stop working.
        for culture_id in belongings.culture_ids:
            self.lineage.retire_node(culture_id)
        for code_hash in belongings.gift_hashes:
            self.lineage.delete_gift(code_hash)
        self.partition.delete_all(sub)
        self.directory.delete_user(principal.username)
