"""The `principal` dependency: every authenticated route gets the caller's Cognito sub."""

from typing import Any

import structlog
from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from app.api.middleware import USER_STATE_KEY
from app.services.auth import AuthError, Principal, TokenVerifier


def provide_principal(
    request: Request[Any, Any, Any], verifier: NamedDependency[TokenVerifier]
) -> Principal:
    try:
        claims = _authorizer_claims(request.scope.get("aws.event"))
        if claims is not None:
            principal = verifier.principal_from_claims(claims)
        else:
            principal = verifier.verify(_bearer_token(request.headers.get("authorization")))
    except AuthError as exc:
        raise NotAuthorizedException(detail=str(exc)) from None
    structlog.contextvars.bind_contextvars(user=principal.sub)
    # Dependencies may resolve in a copied context: the summary line reads it from here.
    request.scope.setdefault("state", {})[USER_STATE_KEY] = principal.sub
    return principal


def _authorizer_claims(event: Any) -> dict[str, Any] | None:
    """Claims API Gateway's JWT authorizer verified; absent on routes without it."""
    if not isinstance(event, dict):
        return None
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims = authorizer.get("jwt", {}).get("claims")
    return claims if isinstance(claims, dict) and claims else None


def _bearer_token(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("A bearer access token is required.")
    return token.strip()
