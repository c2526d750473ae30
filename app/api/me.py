"""The caller's own account: profile, and deleting everything."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from litestar import Controller, delete, get, patch
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from app.api.auth import provide_principal
from app.api.reminder_flows import ReminderFlows
from app.api.schemas import NotificationsIn, ProfileOut, UpdateProfile
from app.config import Settings
from app.domain.errors import InvalidInput, NotFound
from app.domain.profiles import (
    NotificationPreferences,
    Profile,
    check_quiet_hours,
    check_time_zone,
    new_profile,
)
from app.services.auth import Principal
from app.services.clients import AwsClients
from app.services.cognito import UserDirectory, user_pool_id_from_issuer
from app.services.photos import PhotoObjects
from app.store.devices import DeviceStore
from app.store.items import Item
from app.store.partition import UserPartition
from app.store.profiles import ProfileChanges, ProfileStore
from app.usecases.cultures import Cultures

Caller = NamedDependency[Principal]
Profiles = NamedDependency[ProfileStore]
Clients = NamedDependency[AwsClients]
Config = NamedDependency[Settings]
Partition = NamedDependency[UserPartition]
MaybePhotoObjects = NamedDependency[PhotoObjects | None]
Reminders = NamedDependency[ReminderFlows]
Devices = NamedDependency[DeviceStore]
CultureCases = NamedDependency[Cultures]


def _entity(item: Item) -> str | None:
    value = item.get("entity")
    return None if value is None else str(value["S"])


def _now() -> datetime:
    return datetime.now(UTC)


def profile_of(principal: Principal, profiles: ProfileStore, directory: UserDirectory) -> Profile:
    """The stored profile, created on first use with the email the pool has for the user."""
    found = profiles.get(principal.sub)
    if found is not None:
        return found
    email = principal.email or directory.email_of(principal.username)
    return profiles.create(new_profile(principal.sub, email, _now()))


def _directory(clients: AwsClients, settings: Settings) -> UserDirectory:
    return UserDirectory(clients.cognito, user_pool_id_from_issuer(settings.cognito_issuer))


class MeController(Controller):
    path = "/me"
    tags = ["account"]  # noqa: RUF012 (Litestar reads these as class attributes)
    dependencies = {"principal": Provide(provide_principal, sync_to_thread=False)}  # noqa: RUF012

    @get(operation_id="getProfile", sync_to_thread=False)
    def get_profile(
        self, principal: Caller, profiles: Profiles, clients: Clients, settings: Config
    ) -> ProfileOut:
        return ProfileOut.of(profile_of(principal, profiles, _directory(clients, settings)))

    @patch(operation_id="updateProfile", sync_to_thread=False)
    def update_profile(
        self,
        data: JSONBody[UpdateProfile],
        principal: Caller,
        profiles: Profiles,
        clients: Clients,
        settings: Config,
    ) -> ProfileOut:
        display_name = data.display_name
        if isinstance(display_name, str) and not display_name.strip():
            raise InvalidInput("displayName", "displayName cannot be blank.")
        time_zone = check_time_zone(data.time_zone) if isinstance(data.time_zone, str) else None
        notifications = None
        if isinstance(data.notifications, NotificationsIn):
            given = data.notifications
            check_quiet_hours(given.quiet_start, "notifications.quietStart")
            check_quiet_hours(given.quiet_end, "notifications.quietEnd")
            notifications = NotificationPreferences(
                reminders=given.reminders, quiet_start=given.quiet_start, quiet_end=given.quiet_end
            )
        profile_of(principal, profiles, _directory(clients, settings))
        changes = ProfileChanges(
            display_name=display_name.strip() if isinstance(display_name, str) else None,
            remove_display_name=display_name is None,
            time_zone=time_zone,
            notifications=notifications,
        )
        try:
            return ProfileOut.of(profiles.update(principal.sub, changes, _now()))
        except NotFound:
            raise NotFound("The account was deleted meanwhile.") from None

    @delete(
        operation_id="deleteAccount",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def delete_account(
        self,
        principal: Caller,
        partition: Partition,
        clients: Clients,
        settings: Config,
        photo_objects: MaybePhotoObjects,
        reminder_flows: Reminders,
        devices: Devices,
        cultures: CultureCases,
    ) -> None:
        """Everything the user has, then the Cognito user last: until the very end the
        person can sign in again and retry, and every step is safe to repeat."""
        items = partition.items(
            principal.sub, projection="entity, id, #token, codeHash", names={"#token": "token"}
        )
        reminder_flows.delete_schedules(
            [item["id"]["S"] for item in items if _entity(item) == "reminder"]
        )
        for item in items:
            if _entity(item) == "device":
                with contextlib.suppress(NotFound):  # the token moved on to someone else
                    devices.unregister(principal.sub, item["token"]["S"])
        if photo_objects is not None:
            photo_objects.delete_user(principal.sub)
        # Lineage nodes and gift codes live outside the partition.
        cultures.erase_account(principal.sub, items)
        partition.delete_all(principal.sub)
        _directory(clients, settings).delete_user(principal.username)
