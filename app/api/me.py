"""Routes for the caller's own account: profile, and deleting everything."""

from __future__ import annotations

from litestar import Controller, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from app.api.params import Caller
from app.api.schemas.account import NotificationsIn, ProfileOut, UpdateProfile
from app.domain.clock import utc_now
from app.domain.profiles import NotificationPreferences
from app.usecases.account import Account, ProfileChanges


class MeController(Controller):
    path = "/me"
    tags = ["account"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @get(operation_id="getProfile", sync_to_thread=False)
    def get_profile(self, principal: Caller, account: NamedDependency[Account]) -> ProfileOut:
        return ProfileOut.of(account.profile(principal, utc_now()))

    @patch(operation_id="updateProfile", sync_to_thread=False)
    def update_profile(
        self, data: JSONBody[UpdateProfile], principal: Caller, account: NamedDependency[Account]
    ) -> ProfileOut:
        notifications = None
        if isinstance(data.notifications, NotificationsIn):
            given = data.notifications
            notifications = NotificationPreferences(
                reminders=given.reminders, quiet_start=given.quiet_start, quiet_end=given.quiet_end
            )
        changes = ProfileChanges(
            display_name=data.display_name if isinstance(data.display_name, str) else None,
            remove_display_name=data.display_name is None,
            time_zone=data.time_zone if isinstance(data.time_zone, str) else None,
            notifications=notifications,
        )
        return ProfileOut.of(account.update_profile(principal, changes, utc_now()))

    @delete(
        operation_id="deleteAccount",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
    )
    def delete_account(self, principal: Caller, account: NamedDependency[Account]) -> None:
        """Everything the user has, then the Cognito user last: a failure halfway is
        finished by signing in again and repeating the call."""
        account.delete(principal)
