"""`POST /ingest/{token}`: devices post readings without signing in.

The secret token in the URL (or, for TiltBridge, the `X-API-KEY` header on `POST
/ingest`) is the only credential; an unknown or revoked one answers 404 exactly like
a wrong path. Bodies are at most 4 KB: no device sends more.
"""

from typing import Annotated, Any, Literal

import anyio.to_thread
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK

from app.api.openapi import contract
from app.api.schemas.ingest import INGEST_BODY, IngestedOut
from app.domain.device_formats import MAX_PAYLOAD_BYTES
from app.domain.errors import NotFound
from app.usecases.ingest import Ingest, Ingested

MAX_INGEST_BODY = MAX_PAYLOAD_BYTES
IngestCase = NamedDependency[Ingest]
TempUnit = Annotated[
    Literal["C", "F", "K"],
    QueryParameter(name="temp_unit", description="unit of a Tilt form post's Temp (default F)"),
]
ApiKey = Annotated[str | None, HeaderParameter(name="X-API-KEY", max_length=128)]


async def _ingest(
    request: Request[Any, Any, Any], ingest: Ingest, token: str, temp_unit: str
) -> IngestedOut:
    """The raw body is read here (its format is detected, not declared); the use case's
    blocking AWS calls run off the event loop."""
    body = await request.body()
    content_type = request.headers.get("content-type", "application/json")
    done = await anyio.to_thread.run_sync(ingest.ingest, token, body, content_type, temp_unit)
    return _out(done)


def _out(done: Ingested) -> IngestedOut:
    reading = done.reading
    return IngestedOut(
        format=done.format,
        at=reading.at,
        gravity=reading.gravity,
        temperature_c=reading.temperature,
        ph=reading.ph,
        battery=reading.battery,
    )


class IngestController(Controller):
    path = "/ingest"
    tags = ["ingest"]  # noqa: RUF012 (Litestar reads these as class attributes)

    @post(
        "/{token:str}",
        operation_id="ingestReading",
        status_code=HTTP_200_OK,
        **contract(400, 404, 409, 413, 429, raw_body=INGEST_BODY),
        request_max_body_size=MAX_INGEST_BODY,
    )
    async def ingest(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        ingest: IngestCase,
        temp_unit: TempUnit = "F",
    ) -> IngestedOut:
        return await _ingest(request, ingest, token, temp_unit)

    @post(
        "/",
        operation_id="ingestReadingWithKey",
        status_code=HTTP_200_OK,
        **contract(400, 404, 409, 413, 429, raw_body=INGEST_BODY),
        request_max_body_size=MAX_INGEST_BODY,
    )
    async def ingest_with_key(
        self,
        request: Request[Any, Any, Any],
        ingest: IngestCase,
        x_api_key: ApiKey = None,
        temp_unit: TempUnit = "F",
    ) -> IngestedOut:
        if not x_api_key:
            raise NotFound("Unknown or revoked ingest token.")
        return await _ingest(request, ingest, x_api_key, temp_unit)
