"""Correlation ids are echoed, and each request leaves exactly one summary line."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from tests.conftest import User

Client = TestClient[Litestar]


def test_echoes_the_callers_correlation_id(client: Client, alice: User) -> None:
    response = client.get("/batches", headers={**alice.headers, "x-correlation-id": "abc-123"})
    assert response.headers["x-correlation-id"] == "abc-123"


def test_makes_a_correlation_id_when_none_or_unsafe_is_given(client: Client) -> None:
    plain = client.get("/health")
    unsafe = client.get("/health", headers={"x-correlation-id": "<script>"})
    assert len(plain.headers["x-correlation-id"]) == 32
    assert unsafe.headers["x-correlation-id"] not in ("<script>", plain.headers["x-correlation-id"])


def test_one_summary_line_per_request_with_user_and_correlation_id(
    client: Client, alice: User
) -> None:
    with capture_logs(processors=[merge_contextvars]) as logs:
        client.get("/batches", headers={**alice.headers, "x-correlation-id": "trace-1"})
    summaries = [line for line in logs if line["event"] == "request"]
    assert len(summaries) == 1
    line = summaries[0]
    assert line["status"] == 200
    assert line["path"] == "/batches"
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert line["correlation_id"] == "trace-1"
    assert line["user"] == alice.sub


def test_errors_are_logged_with_their_status(client: Client) -> None:
    with capture_logs() as logs:
        client.get("/batches")
    assert [line["status"] for line in logs if line["event"] == "request"] == [401]
