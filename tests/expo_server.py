"""A loopback stand-in for Expo's push API, speaking its documented protocol.

`POST /--/api/v2/push/send` takes a JSON array of at most 100 messages and answers
`{"data": [ticket, ...]}`, one ticket per message in order
(docs.expo.dev/push-notifications/sending-notifications/). Expo is a third-party
service the tests cannot run; this fake is the only one the suite has.

It records every request, answers `DeviceNotRegistered` for tokens it is told are
gone, can answer 429 (or a 5xx) to the first requests carrying a given token, and a
`MessageRateExceeded` ticket to a given token's first messages.
`POST /--/api/v2/push/getReceipts` takes `{"ids": [...]}` (at most 1,000) and answers
`{"data": {id: receipt}}` for tickets it issued: `ok`, or the error a test set for the
ticket's token with `receipt_error` (a device uninstalled after the ticket was issued).
Tests share one server per session, so they look at requests by their own tokens.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PUSH_PATH = "/--/api/v2/push/send"
RECEIPTS_PATH = "/--/api/v2/push/getReceipts"
MAX_MESSAGES = 100
MAX_RECEIPT_IDS = 1000


class Recorded:
    def __init__(self, headers: dict[str, str], messages: list[dict[str, Any]], status: int):
        self.headers = headers
        self.messages = messages
        self.status = status
        self.accepted = [False] * len(messages)


class ExpoServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.unregistered: set[str] = set()
        self._failures: dict[str, list[int]] = {}
        self.issued: dict[str, str] = {}
        self.receipt_errors: dict[str, str] = {}
        self.receipt_requests: list[list[str]] = []
        self._rate_limited: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PUSH_PATH}"

    def __enter__(self) -> ExpoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_first(self, token: str, *statuses: int) -> None:
        """Answer these statuses, in turn, to the next requests carrying `token`."""
        with self._lock:
            self._failures[token] = list(statuses)

    def receipt_error(self, token: str, error: str) -> None:
        """Receipts of tickets for `token` say `error` (DeviceNotRegistered, …)."""
        with self._lock:
            self.receipt_errors[token] = error

    def _receipts(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            ids = json.loads(body)["ids"]
        except (ValueError, KeyError, TypeError):
            return 400, {"errors": [{"code": "VALIDATION_ERROR", "message": "ids"}]}
        if not isinstance(ids, list) or len(ids) > MAX_RECEIPT_IDS:
            return 400, {"errors": [{"code": "VALIDATION_ERROR", "message": "1000 ids at most"}]}
        with self._lock:
            self.receipt_requests.append(list(ids))
            data: dict[str, Any] = {}
            for ticket_id in ids:
                token = self.issued.get(ticket_id)
                if token is None:
                    continue  # unknown or older than 24 h: Expo leaves it out
                error = self.receipt_errors.get(token)
                data[ticket_id] = (
                    {"status": "ok"}
                    if error is None
                    else {"status": "error", "message": error, "details": {"error": error}}
                )
        return 200, {"data": data}

    def rate_limit_first(self, token: str, times: int) -> None:
        """Answer 200 with a `MessageRateExceeded` ticket for `token`'s next `times`
        messages (Expo throttling one device), then accept it."""
        with self._lock:
            self._rate_limited[token] = times

    def messages_to(self, token: str) -> list[dict[str, Any]]:
        """Messages for `token` that were accepted (answered 200 with an ok ticket)."""
        with self._lock:
            return [
                m
                for r in self.requests
                if r.status == 200
                for m, ok in zip(r.messages, r.accepted, strict=True)
                if ok and m.get("to") == token
            ]

    def requests_with(self, token: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if any(m.get("to") == token for m in r.messages)]

    def _answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            messages = json.loads(body)
        except ValueError:
            return 400, {"errors": [{"code": "VALIDATION_ERROR", "message": "not JSON"}]}
        if isinstance(messages, dict):
            messages = [messages]
        if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
            return 400, {
                "errors": [{"code": "PUSH_TOO_MANY_NOTIFICATIONS", "message": "1 to 100 messages"}]
            }
        with self._lock:
            status = 200
            for message in messages:
                pending = self._failures.get(str(message.get("to")))
                if pending:
                    status = pending.pop(0)
                    break
            recorded = Recorded(headers, messages, status)
            self.requests.append(recorded)
            if status != 200:
                return status, {"errors": [{"code": "TOO_MANY_REQUESTS", "message": "slow down"}]}
            tickets = [self._ticket(m) for m in messages]
            recorded.accepted = [ticket["status"] == "ok" for ticket in tickets]
            return 200, {"data": tickets}

    def _ticket(self, message: dict[str, Any]) -> dict[str, Any]:
        token = str(message.get("to"))
        if self._rate_limited.get(token):
            self._rate_limited[token] -= 1
            return {
                "status": "error",
                "message": "The device is receiving too many messages; slow down.",
                "details": {"error": "MessageRateExceeded"},
            }
        if token in self.unregistered:
            return {
                "status": "error",
                "message": f'"{token}" is not a registered push notification recipient',
                "details": {"error": "DeviceNotRegistered", "expoPushToken": token},
            }
        ticket_id = str(uuid.uuid4())
        self.issued[ticket_id] = token
        return {"status": "ok", "id": ticket_id}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if self.path == RECEIPTS_PATH:
                    status, answer = server._receipts(body)
                elif self.path != PUSH_PATH:
                    status, answer = 404, {"errors": [{"code": "NOT_FOUND", "message": ""}]}
                else:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    status, answer = server._answer(headers, body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                if status == 429:
                    self.send_header("retry-after", "0")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def new_token() -> str:
    return f"ExponentPushToken[{uuid.uuid4().hex[:22]}]"
