"""Expo's push API: `POST /--/api/v2/push/send` with a JSON array of messages.

As Expo documents it (docs.expo.dev/push-notifications/sending-notifications/): at most
100 messages a request; the answer is `{"data": [ticket, ...]}` in the order of the
messages, a ticket being `{"status": "ok", "id": ...}` or `{"status": "error",
"message": ..., "details": {"error": "DeviceNotRegistered" | ...}}`. A 429 or a 5xx is
worth retrying with backoff; other 4xx are not. With an access token set in the Expo
project ("enhanced security for push"), requests carry `Authorization: Bearer <token>`.

`EXPO_PUSH_URL=log` swaps in a sender that only logs, for local runs without a phone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol

import httpx
import msgspec

from app.logs import get_logger

log = get_logger(__name__)

EXPO_PUSH_URL = "https://exp.host/--/api/v2/push/send"
LOG_ONLY = "log"
CHUNK_SIZE = 100
DEVICE_NOT_REGISTERED = "DeviceNotRegistered"
MESSAGE_RATE_EXCEEDED = "MessageRateExceeded"
# Our own code for a chunk Expo never accepted (after the retries, or refused).
REQUEST_FAILED = "RequestFailed"
# Ticket errors a later attempt may get past.
TRANSIENT_ERRORS = frozenset({REQUEST_FAILED, MESSAGE_RATE_EXCEEDED})


class PushMessage(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    to: str
    title: str
    body: str
    data: dict[str, str] = msgspec.field(default_factory=dict)
    # Unset fields are left out of the request, so Expo applies its own defaults.
    sound: Literal["default"] | None = None
    priority: Literal["default", "normal", "high"] | None = None
    channel_id: str | None = None


class TicketDetails(msgspec.Struct, frozen=True):
    error: str | None = None


class PushTicket(msgspec.Struct, frozen=True, omit_defaults=True):
    status: Literal["ok", "error"]
    id: str | None = None
    message: str | None = None
    details: TicketDetails | None = None

    @property
    def error(self) -> str | None:
        return None if self.details is None else self.details.error


class _ExpoResponse(msgspec.Struct):
    data: list[PushTicket] | None = None
    errors: list[dict[str, Any]] | None = None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(_ExpoResponse)


class PushSender(Protocol):
    def send(self, messages: Sequence[PushMessage]) -> list[PushTicket]:
        """One ticket per message, in order."""
        ...


def chunks(
    messages: Sequence[PushMessage], size: int = CHUNK_SIZE
) -> Iterator[Sequence[PushMessage]]:
    for start in range(0, len(messages), size):
        yield messages[start : start + size]


class ExpoPushClient:
    def __init__(
        self,
        url: str = EXPO_PUSH_URL,
        *,
        access_token: str | None = None,
        http: httpx.Client | None = None,
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.http = http or httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.sleep = sleep
        self.headers = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "Content-Type": "application/json",
        }
        if access_token:
            self.headers["Authorization"] = f"Bearer {access_token}"

    def send(self, messages: Sequence[PushMessage]) -> list[PushTicket]:
        tickets: list[PushTicket] = []
        for chunk in chunks(messages):
            tickets.extend(self._send_chunk(chunk))
        return tickets

    def _send_chunk(self, chunk: Sequence[PushMessage]) -> list[PushTicket]:
        """Up to `attempts` requests: the whole chunk again after a 429, a 5xx or a
        network error; only the messages whose ticket says `MessageRateExceeded` (Expo
        throttles one device) after a 200. What is still unsent at the end keeps its
        error ticket."""
        tickets: list[PushTicket | None] = [None] * len(chunk)
        pending = list(range(len(chunk)))
        why = "no attempt"
        for attempt in range(1, self.attempts + 1):
            body = _encoder.encode([chunk[i] for i in pending])
            retry_after: float | None = None
            try:
                response = self.http.post(self.url, content=body, headers=self.headers)
            except httpx.HTTPError as exc:
                why = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    for index, ticket in zip(
                        pending, _tickets(response.content, len(pending)), strict=True
                    ):
                        tickets[index] = ticket
                    pending = [i for i in pending if _error(tickets[i]) == MESSAGE_RATE_EXCEEDED]
                    if not pending:
                        return _all(tickets)
                    why = MESSAGE_RATE_EXCEEDED
                else:
                    why = f"HTTP {response.status_code}: {response.text[:300]}"
                    if response.status_code != 429 and response.status_code < 500:
                        log.error(
                            "push_refused", status=response.status_code, body=response.text[:300]
                        )
                        return _all(_fill(tickets, why))
                    retry_after = _retry_after(response.headers.get("retry-after"))
            if attempt < self.attempts:
                delay = self._delay(attempt, retry_after)
                log.warning("push_retry", attempt=attempt, reason=why, delay_s=round(delay, 2))
                self.sleep(delay)
        log.error("push_failed", attempts=self.attempts, reason=why, messages=len(pending))
        return _all(_fill(tickets, why))

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter; a server's Retry-After wins, within the cap."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff_seconds)
        base = self.backoff_seconds * 2 ** (attempt - 1)
        return float(min(base * (0.5 + random.random() / 2), self.max_backoff_seconds))  # noqa: S311


class LogPushSender:
    """Logs what would be sent; every message counts as accepted."""

    def send(self, messages: Sequence[PushMessage]) -> list[PushTicket]:
        for message in messages:
            log.info("push_logged", to=message.to, title=message.title, body=message.body)
        return [PushTicket(status="ok", id="logged") for _ in messages]


def push_sender(url: str, access_token: str | None = None) -> PushSender:
    if url == LOG_ONLY:
        return LogPushSender()
    return ExpoPushClient(url, access_token=access_token)


def _tickets(content: bytes, expected: int) -> list[PushTicket]:
    try:
        decoded = _decoder.decode(content)
    except msgspec.DecodeError as exc:
        return _failed(expected, f"unreadable answer: {exc}")
    if decoded.errors:
        return _failed(expected, str(decoded.errors)[:300])
    if decoded.data is None or len(decoded.data) != expected:
        return _failed(expected, "answer does not hold one ticket per message")
    return decoded.data


def _failed(count: int, why: str) -> list[PushTicket]:
    ticket = PushTicket(status="error", message=why, details=TicketDetails(error=REQUEST_FAILED))
    return [ticket] * count


def _error(ticket: PushTicket | None) -> str | None:
    return None if ticket is None else ticket.error


def _fill(tickets: list[PushTicket | None], why: str) -> list[PushTicket | None]:
    """Messages never answered get a RequestFailed ticket; answered ones keep theirs."""
    failed = _failed(1, why)[0]
    return [failed if ticket is None else ticket for ticket in tickets]


def _all(tickets: list[PushTicket | None]) -> list[PushTicket]:
    return [ticket for ticket in tickets if ticket is not None]


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
