"""Every error as RFC 9457 problem+json with a stable `type`; never a stack trace."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap
from msgspec import Meta

from app.api.middleware import USER_STATE_KEY
from app.api.schemas.base import (
    CONTROL_CHARACTERS,
    LINE_PATTERN,
    NAME_CONTROL_CHARACTERS,
    NAME_PATTERN,
    TEXT_CONTROL_CHARACTERS,
    TEXT_PATTERN,
)
from app.domain.errors import (
    AccountDeleted,
    AlreadyExists,
    BatchClosed,
    CultureClosed,
    DomainError,
    GiftClaimed,
    GiftExpired,
    IdempotencyKeyReused,
    InvalidCursor,
    InvalidInput,
    InvalidTransition,
    InvalidUpload,
    LimitReached,
    NotFound,
    PhotoAlreadyConfirmed,
    PhotoNotUploaded,
    ReminderClosed,
    ResyncRequired,
    ServiceUnavailable,
    StaleVersion,
    TooManyReadings,
    UploadReplaced,
)
from app.logs import get_logger

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://kefir.app/problems/"
# What a 503 asks the client to wait before trying again.
RETRY_AFTER_SECONDS = "30"

log = get_logger(__name__)


class FieldError(msgspec.Struct):
    field: Annotated[str, Meta(description="the field's name on the wire, e.g. `startedAt`")]
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details; `type` is stable, so clients branch on it."""

    type: Annotated[str, Meta(description="a URI naming the kind of problem")]
    title: str
    status: Annotated[int, Meta(ge=400, le=599)]
    detail: str | None = None
    instance: Annotated[str | None, Meta(description="the request's path")] = None
    errors: Annotated[list[FieldError] | None, Meta(description="one entry per invalid field")] = (
        None
    )


class ProblemSpec(msgspec.Struct, frozen=True):
    slug: str
    title: str
    status: int


_DOMAIN_PROBLEMS: dict[type[DomainError], ProblemSpec] = {
    NotFound: ProblemSpec("not-found", "Not found", 404),
    StaleVersion: ProblemSpec("stale-version", "Edit conflict", 409),
    InvalidTransition: ProblemSpec("invalid-status-transition", "Status change not allowed", 409),
    BatchClosed: ProblemSpec("batch-closed", "Batch is closed", 409),
    InvalidCursor: ProblemSpec("invalid-cursor", "Invalid cursor", 400),
    PhotoNotUploaded: ProblemSpec("photo-not-uploaded", "Photo not uploaded", 409),
    PhotoAlreadyConfirmed: ProblemSpec("photo-already-confirmed", "Photo already confirmed", 409),
    InvalidUpload: ProblemSpec("invalid-photo", "Upload is not an accepted photo", 422),
    ReminderClosed: ProblemSpec("reminder-closed", "Reminder is closed", 409),
    ServiceUnavailable: ProblemSpec("service-unavailable", "Service unavailable", 503),
    UploadReplaced: ProblemSpec("upload-replaced", "Upload changed while it was checked", 409),
    CultureClosed: ProblemSpec("culture-closed", "Culture is retired or lost", 409),
    GiftClaimed: ProblemSpec("gift-claimed", "Gift already claimed", 409),
    GiftExpired: ProblemSpec("gift-expired", "Gift code expired", 410),
    TooManyReadings: ProblemSpec("too-many-readings", "Too many readings", 429),
    AccountDeleted: ProblemSpec("account-deleted", "Account deleted", 410),
    LimitReached: ProblemSpec("limit-reached", "Limit reached", 409),
    IdempotencyKeyReused: ProblemSpec(
        "idempotency-key-reused", "Idempotency key used for another request", 422
    ),
    AlreadyExists: ProblemSpec("already-exists", "Already exists", 409),
    ResyncRequired: ProblemSpec("resync", "Sync cursor too old: pull a full snapshot", 410),
}

_HTTP_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


def problem_response(
    request: Request[Any, Any, Any],
    *,
    slug: str,
    title: str,
    status: int,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    problem = Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return Response(problem, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_of(exc: DomainError, instance: str | None = None) -> Problem:
    """The problem a domain error answers with: the response body here, and one
    mutation's result in a sync push."""
    if isinstance(exc, InvalidInput):
        return Problem(
            type=PROBLEM_BASE + "validation",
            title="Invalid request",
            status=400,
            detail=exc.detail,
            instance=instance,
            errors=[FieldError(field=exc.field, message=exc.detail)],
        )
    spec = _DOMAIN_PROBLEMS[type(exc)]
    return Problem(
        type=PROBLEM_BASE + spec.slug,
        title=spec.title,
        status=spec.status,
        detail=exc.detail,
        instance=instance,
    )


def invalid_fields(field: str, message: str, instance: str | None = None) -> Problem:
    """A body part that failed validation (a pushed mutation's `fields`)."""
    return Problem(
        type=PROBLEM_BASE + "validation",
        title="Invalid request",
        status=400,
        detail=message,
        instance=instance,
        errors=[FieldError(field=field, message=message)],
    )


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    if isinstance(exc, NotFound) and _caller_was_deleted(request):
        exc = AccountDeleted("This account was deleted.")
    problem = problem_of(exc, request.url.path)
    headers = None
    if isinstance(exc, TooManyReadings):
        headers = {"Retry-After": str(exc.retry_after)}
    elif problem.status == 503:
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
    return Response(
        problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _caller_was_deleted(request: Request[Any, Any, Any]) -> bool:
    """After DELETE /me the caller's token stays valid until it expires, and every write
    it tries finds nothing (the partition is empty): a 404 for a deleted account is a
    410. Asked only on a 404, so requests that succeed pay nothing for it."""
    sub = request.scope.get("state", {}).get(USER_STATE_KEY)
    account = getattr(request.app.state, "account", None)
    return bool(sub) and account is not None and bool(account.is_deleted(sub))


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Problem]:
    return problem_response(
        request,
        slug="validation",
        title="Invalid request",
        status=400,
        detail="Some fields are missing or invalid.",
        errors=_field_errors(exc.extra),
    )


def _field_errors(extra: Any) -> list[FieldError]:
    """Litestar reports msgspec errors as `{"message", "key", "source"}` entries."""
    errors = []
    for entry in extra if isinstance(extra, list) else []:
        if isinstance(entry, dict):
            key = str(entry.get("key") or entry.get("source") or "body")
            errors.append(
                FieldError(field=key, message=_readable(str(entry.get("message", "invalid"))))
            )
    return errors or [FieldError(field="body", message="invalid request")]


# msgspec names the pattern a string failed; the text patterns read better in words.
_PATTERN_MESSAGES = {
    f"matching regex {LINE_PATTERN!r}": CONTROL_CHARACTERS,
    f"matching regex {NAME_PATTERN!r}": NAME_CONTROL_CHARACTERS,
    f"matching regex {TEXT_PATTERN!r}": TEXT_CONTROL_CHARACTERS,
}


def _readable(message: str) -> str:
    for pattern, words in _PATTERN_MESSAGES.items():
        message = message.replace(f"Expected `str` {pattern}", f"Text {words}")
    return message


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    slug, title = _HTTP_PROBLEMS.get(exc.status_code, ("http-error", "Request failed"))
    if exc.status_code >= 500:
        return _internal_error(request, exc)
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="kefir"')
    return problem_response(
        request,
        slug=slug,
        title=title,
        status=exc.status_code,
        detail=exc.detail if exc.detail.lower() != title.lower() else None,
        headers=headers,
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.error("unhandled_error", exc_info=exc, error_type=type(exc).__name__)
    return problem_response(
        request,
        slug="internal",
        title="Internal server error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail="Something went wrong on our side. The correlation id identifies it.",
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _internal_error,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "Problem",
    "invalid_fields",
    "problem_of",
    "problem_response",
]
