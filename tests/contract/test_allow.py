"""`OPTIONS` and `405` name every method of a path (Litestar 2 named only the first
handler's: litestar-org/litestar#4169). Nothing here reaches AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.main import create_app

ULID = "01KBJX2W3Z0000000000000000"


@pytest.fixture(scope="module")
def offline() -> Iterator[TestClient[Litestar]]:
    settings = Settings(
        table_name="unused",
        cognito_issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unused",
        cognito_client_id="unused",
        cognito_jwks_url="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unused/jwks",
        log_json=False,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/me", "DELETE, GET, OPTIONS, PATCH"),
        (f"/batches/{ULID}", "DELETE, GET, OPTIONS, PATCH"),
        ("/batches", "GET, OPTIONS, POST"),
        (f"/batches/{ULID}/reminders/{ULID}", "DELETE, GET, OPTIONS, PATCH"),
        ("/health", "GET, OPTIONS"),
    ],
)
def test_options_and_405_list_every_method_of_the_path(
    offline: TestClient[Litestar], path: str, allowed: str
) -> None:
    options = offline.options(path)
    assert options.status_code == 204
    assert options.headers["allow"] == allowed
    refused = offline.put(path)
    assert refused.status_code == 405
    assert refused.headers["content-type"] == "application/problem+json"
    assert sorted(refused.headers["allow"].split(", ")) == allowed.split(", ")
