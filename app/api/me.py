"""Routes for the caller's own account: profile, and deleting everything."""

from litestar import Controller, Response, delete, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.etags import IfNoneMatch, conditional, version_tag
from app.api.openapi import BEARER, ETAG, contract
from app.api.params import Caller
from app.api.schemas.account import NotificationsIn, ProfileOut, UpdateProfile
from app.domain.clock import utc_now
from app.domain.profiles import NotificationPreferences
from app.usecases.account import Account, ProfileChanges


class MeController(Controller):
    path = "/me"
    tags = ["account"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(
        operation_id="getProfile",
        sync_to_thread=False,
        **contract(400, 401, headers=(ETAG,), also={304: None}),
    )
    def get_profile(
        self,
        principal: Caller,
        account: NamedDependency[Account],
        if_none_match: IfNoneMatch = None,
    ) -> Response[ProfileOut]:
        """`ETag` from the profile's version; `If-None-Match` -> 304."""
        profile = account.profile(principal, utc_now())
        return conditional(ProfileOut.of(profile), version_tag(profile.version), if_none_match)

    @patch(
        operation_id="updateProfile",
        sync_to_thread=False,
        **contract(400, 401, 404, 413),
    )
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
        **contract(401, also={202: None}),
    )
    def delete_account(
        self, principal: Caller, account: NamedDependency[Account]
    ) -> Response[None]:
        """The user is signed out at once; 204 when everything is gone, 202 when the rest
        goes asynchronously (an account with a long history). Repeating the call while it
        runs continues it; once it finished, the call answers 410."""
        progress = account.delete(principal, utc_now())
        return Response(
            None, status_code=HTTP_204_NO_CONTENT if progress.finished else HTTP_202_ACCEPTED
        )
