"""What can go wrong in the domain, independent of HTTP; the api layer maps these."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a client can fix or must be told about."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The resource does not exist for this user (someone else's looks the same)."""


class StaleVersion(DomainError):
    """The client edited an older version than the stored one: nothing was written."""


class InvalidTransition(DomainError):
    """The requested status change is not allowed from the current status."""


class BatchClosed(DomainError):
    """The batch is finished or archived, so its event log is frozen."""


class InvalidCursor(DomainError):
    """A pagination cursor that this API did not issue for this listing."""


class InvalidInput(DomainError):
    """Well-formed input that breaks a rule of the domain, naming the field."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class ReminderClosed(DomainError):
    """The reminder is done or cancelled: it can no longer be moved or done again."""


class ServiceUnavailable(DomainError):
    """An outside service the request needs (the scheduler) failed; nothing was left
    half-done, so the client may retry."""


class PhotoNotUploaded(DomainError):
    """Confirming a photo whose upload never reached the bucket (or has expired)."""


class PhotoAlreadyConfirmed(DomainError):
    """The photo was confirmed before: a second confirm stores nothing."""


class InvalidUpload(DomainError):
    """What reached the bucket is not an accepted photo; it has been removed."""


class UploadReplaced(DomainError):
    """The upload changed between its check and its copy (uploaded again meanwhile):
    nothing was stored, the client may confirm again."""


class DeviceHeldElsewhere(DomainError):
    """The push token is registered to another account: it moves only with the proof
    pushed to the device (item 4 of issue 10)."""


class CultureClosed(DomainError):
    """The culture is retired or lost, so its event log is frozen."""


class GiftClaimed(DomainError):
    """The gift code was claimed before: a code makes one culture, once."""


class GiftExpired(DomainError):
    """The gift code is past its expiry; the giver can make a new one."""


class TooManyReadings(DomainError):
    """A sensor posted past the hard cap of readings per minute: nothing was stored."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ResyncRequired(DomainError):
    """A sync cursor older than the horizon: deletions since then may be forgotten, so
    the client must drop its copy and pull a full snapshot."""


class IdempotencyKeyReused(DomainError):
    """An `Idempotency-Key` (or a pushed mutation id) sent again with a different
    request: the first request's result stands and nothing new was written."""


class AlreadyExists(DomainError):
    """A create named an id (client-generated, offline) that is already taken."""


class AccountDeleted(DomainError):
    """The caller's account was deleted (or is being deleted): its token may still be
    valid for up to an hour, but nothing may be written for it any more."""


class LimitReached(DomainError):
    """A per-user cap (devices, photos) is reached; the detail names it."""
