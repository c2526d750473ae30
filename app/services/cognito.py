"""The user pool, through admin calls: look up a user's email, sign out, delete an account."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from app.aws_errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


class UserDirectory:
    def __init__(
        self, client: Callable[[], CognitoIdentityProviderClient], user_pool_id: str
    ) -> None:
        self._client = client
        self.user_pool_id = user_pool_id

    @property
    def client(self) -> CognitoIdentityProviderClient:
        """Built on first use: most requests never ask the user pool anything."""
        return self._client()

    def email_of(self, username: str) -> str | None:
        """Access tokens carry no email; the profile asks the pool once, when it is created."""
        try:
            user = self.client.admin_get_user(UserPoolId=self.user_pool_id, Username=username)
        except ClientError as exc:
            if error_code(exc) == "UserNotFoundException":
                return None
            raise
        for attribute in user.get("UserAttributes", []):
            if attribute["Name"] == "email":
                return attribute.get("Value")
        return None

    def sign_out(self, username: str) -> None:
        """AdminUserGlobalSignOut: the user's refresh tokens stop working at once, so no
        new access token is issued; the ones already issued stay valid at the API
        Gateway authorizer until they expire (the app refuses their writes).
        A user already gone counts as signed out."""
        try:
            self.client.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=username)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise

    def delete_user(self, username: str) -> None:
        """Idempotent: a user already gone counts as deleted, so a retried deletion finishes."""
        try:
            self.client.admin_delete_user(UserPoolId=self.user_pool_id, Username=username)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise


def user_pool_id_from_issuer(issuer: str) -> str:
    """`https://cognito-idp.<region>.amazonaws.com/<poolId>` names its pool last."""
    return issuer.rstrip("/").rsplit("/", 1)[-1]
