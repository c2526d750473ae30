"""Who is calling: the Cognito `sub`, from API Gateway's verified claims or a bearer token.

Behind API Gateway the route's JWT authorizer has verified the token and the claims
arrive in the Lambda event. Anywhere else (local runs, public routes) the token is
verified here against the user pool's JWKS. Only access tokens are accepted: they are
what the app sends to an API; ID tokens describe the user to the client itself.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from jwt import PyJWKClient

ALGORITHMS = ["RS256"]


class Principal(msgspec.Struct, frozen=True):
    """`username` is Cognito's user name (what admin calls take); with email sign-in it
    is a generated id, not the address, so access tokens carry no email."""

    sub: str
    username: str
    email: str | None = None


class AuthError(Exception):
    """The caller is not authenticated; the message is safe to show."""


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        cache_seconds: int = 3600,
        leeway_seconds: int = 30,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.jwks_url = jwks_url
        self.cache_seconds = cache_seconds
        self.leeway_seconds = leeway_seconds
        self._jwks: PyJWKClient | None = None

    def principal_from_claims(self, claims: Mapping[str, Any]) -> Principal:
        """Claims already verified by the API Gateway authorizer; values arrive as strings.

        The authorizer accepts ID tokens too (by `aud`), so the token kind and client
        are checked again here."""
        self._check_kind(claims)
        return _principal(claims)

    def verify(self, token: str) -> Principal:
        import jwt  # imported on first use: Lambda requests carry verified claims instead

        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS:
                raise AuthError("The token is not signed with an accepted algorithm.")
            key = self._jwks_client().get_signing_key(str(header.get("kid", "")))
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except AuthError:
            raise
        except jwt.ExpiredSignatureError:
            raise AuthError("The token has expired.") from None
        except jwt.InvalidIssuerError:
            raise AuthError("The token was not issued by this API's user pool.") from None
        except jwt.PyJWKClientConnectionError:
            raise AuthError("The token's signing keys could not be fetched.") from None
        except jwt.PyJWTError:
            raise AuthError("The token is not valid.") from None
        self._check_kind(claims)
        return _principal(claims)

    def _check_kind(self, claims: Mapping[str, Any]) -> None:
        if claims.get("token_use") != "access":
            raise AuthError("An access token is required.")
        if claims.get("client_id") != self.client_id:
            raise AuthError("The token was issued to another client.")
        exp = claims.get("exp")
        if exp is not None and float(exp) + self.leeway_seconds < time.time():
            raise AuthError("The token has expired.")

    def _jwks_client(self) -> PyJWKClient:
        if self._jwks is None:
            from jwt import PyJWKClient

            self._jwks = PyJWKClient(
                self.jwks_url, cache_keys=True, lifespan=self.cache_seconds, timeout=5
            )
        return self._jwks


def _principal(claims: Mapping[str, Any]) -> Principal:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise AuthError("The token has no subject.")
    email = claims.get("email")
    username = claims.get("username") or claims.get("cognito:username") or sub
    return Principal(sub=sub, username=str(username), email=str(email) if email else None)
