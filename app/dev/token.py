"""Mint a Cognito access token from the emulator's user pool, for curl and for tests.

Locally tokens come from an admin flow (the emulator has no USER_AUTH / email OTP):
the user is created if missing, given a fresh random password, and signed in with
ADMIN_USER_PASSWORD_AUTH. Clients come from localstack-client, so the same code
serves ministack and LocalStack: ``AWS_ENDPOINT_URL`` wins, else ``LOCALSTACK_HOST``.

``python -m app.dev.token you@example.com`` prints the token of the stack ``make run``
recorded in ``.emulator/current.json``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from botocore.exceptions import EndpointConnectionError
from localstack_client.session import Session

from app.dev.stack import StackError, read_current

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AuthenticationResultTypeTypeDef


def access_token(email: str, pool_id: str, client_id: str, *, endpoint: str | None = None) -> str:
    """Return a fresh access token for ``email``, creating the user on first use."""
    return sign_in(email, pool_id, client_id, endpoint=endpoint)["AccessToken"]


def sign_in(
    email: str, pool_id: str, client_id: str, *, endpoint: str | None = None
) -> AuthenticationResultTypeTypeDef:
    """Sign ``email`` in through the admin flow, creating the user on first use: the
    emulator's stand-in for the email code, giving the same access, ID and refresh tokens.

    ``endpoint`` names the emulator; without it localstack-client's own rule applies.
    """
    cognito = _cognito(pool_id, endpoint)
    with contextlib.suppress(cognito.exceptions.UsernameExistsException):
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
    # The password is thrown away: a new one each time is simpler than storing it.
    password = secrets.token_urlsafe(24) + "aA1!"
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=password, Permanent=True
    )
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return result["AuthenticationResult"]


def _cognito(pool_id: str, endpoint: str | None) -> CognitoIdentityProviderClient:
    # A pool id starts with its region ("us-east-1_AbC123"); the client must match it.
    region = pool_id.split("_", 1)[0]
    if endpoint is None:
        session = Session(region_name=region)
    else:
        from_env = os.environ.get("AWS_ENDPOINT_URL", "").strip()
        if from_env and from_env.rstrip("/") != endpoint.rstrip("/"):
            # localstack-client lets AWS_ENDPOINT_URL win; refuse rather than ask the wrong one.
            raise ValueError(f"AWS_ENDPOINT_URL={from_env} disagrees with endpoint={endpoint}")
        session = Session(region_name=region, localstack_host=urlsplit(endpoint).netloc)
    client: CognitoIdentityProviderClient = session.client("cognito-idp")
    return client


def main(argv: list[str] | None = None) -> int:
    """Print the access token only, so ``TOKEN=$(make -s token EMAIL=...)`` works."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or "@" not in args[0]:
        print("usage: python -m app.dev.token you@example.com", file=sys.stderr)
        return 2
    try:
        current = read_current()
    except StackError as error:
        print(error, file=sys.stderr)
        return 1
    outputs = current.outputs
    os.environ["AWS_ENDPOINT_URL"] = current.endpoint
    try:
        token = access_token(
            args[0], outputs.user_pool_id, outputs.user_pool_client_id, endpoint=current.endpoint
        )
    except EndpointConnectionError:
        print(f"no emulator answers at {current.endpoint}; is `make run` running?", file=sys.stderr)
        return 1
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
