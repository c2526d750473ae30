"""What the OpenAPI document says beyond the handlers' signatures.

The iOS and web apps generate their clients from `/schema/openapi.json`, and the suite
fuzzes the app against it (Schemathesis), so the document must say exactly what the app
does: every status an operation answers, with the problem+json body for errors; the
headers clients read; which operations need a bearer token; and links from a created
resource to what can be done with it, so a stateful fuzzer can chain the calls.

Everything here is declared from the code, next to the handlers:

    @post(operation_id="createBatch", **contract(400, 401, 413, headers=(LOCATION,)))

Litestar renders `responses=`, `response_headers=` and `security=`; `Documented`, the
operation class, adds what Litestar has no argument for: `X-Correlation-Id` on every
response (errors too) and the links table below.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.datastructures import ResponseHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    Link,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    RequestBody,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import HeaderParameter

from app.api.errors import PROBLEM_MEDIA_TYPE, Problem

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

BEARER_SCHEME = "bearerAuth"
# Controllers whose routes need a Cognito access token declare `security=BEARER`.
BEARER: list[SecurityRequirement] = [{BEARER_SCHEME: []}]

CORRELATION_HEADER = "X-Correlation-Id"


def _header(description: str, schema: Schema | None = None) -> OpenAPIHeader:
    return OpenAPIHeader(
        schema=schema or Schema(type=OpenAPIType.STRING), description=description, required=True
    )


def _response_header(name: str, description: str) -> ResponseHeader:
    return ResponseHeader(
        name=name, documentation_only=True, description=description, required=True
    )


LOCATION = _response_header("Location", "The address of the resource this request created.")
# For the conditional reads of single resources (If-None-Match -> 304).
ETAG = _response_header("ETag", "The resource's version: send it back in If-None-Match.")

_ETAG = _header("The resource's version, unchanged since the If-None-Match sent.")
_CORRELATION = _header(
    "Echoes the request's X-Correlation-Id when it is a safe token (letters, digits, "
    "`._:-`, at most 128), else API Gateway's request id, else a new id. Quote it when "
    "reporting a problem: it finds the request's log lines."
)
_CORRELATION_UNLESS_GATEWAY = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING),
    description="As on every response of the app; absent when API Gateway answered itself.",
    required=False,
)
_REDIRECT = _header("Where to go instead (a short-lived download URL).")
_RETRY = _header("Seconds to wait before trying again.", Schema(type=OpenAPIType.INTEGER))
_GATEWAY_ANSWER = Schema(
    type=OpenAPIType.OBJECT,
    properties={"message": Schema(type=OpenAPIType.STRING)},
    required=["message"],
    description="API Gateway's own answer, before the request reaches the app.",
)


# Declared on every operation (Litestar's app-level `parameters`); the middleware reads it.
CORRELATION_PARAMETER = {
    "x_correlation_id": HeaderParameter(
        name=CORRELATION_HEADER,
        annotation=str,
        required=False,
        description="An id of the caller's choosing for this request, echoed back in "
        "X-Correlation-Id and written on the request's log lines (used when it is a safe "
        "token: letters, digits, `._:-`, at most 128).",
    )
}


class Declared(dict[int, ResponseSpec]):
    """An operation's documented responses, shared by the copies Litestar makes.

    Litestar deep-copies every handler of a controller when the app is built, i.e. on
    each cold start, and these declarations were a third of that work; nothing mutates
    them, and only the OpenAPI document reads them.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> Declared:
        return self


class OperationDoc(TypedDict):
    """The decorator arguments `contract()` fills, typed so mypy checks the `**` splat."""

    responses: dict[int, ResponseSpec]
    response_headers: list[ResponseHeader]
    operation_class: type[Operation]


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """`responses=` for the error statuses an operation can answer, as problem+json."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=HTTPStatus(status).phrase,
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({*statuses, 500})
    }


def contract(
    *statuses: int,
    headers: tuple[ResponseHeader, ...] = (),
    also: dict[int, type[Any] | None] | None = None,
    raw_body: RequestBody | None = None,
) -> OperationDoc:
    """Everything an operation declares besides its success body: each error status it
    can answer (500 always: any operation can fail; 410 with 401: an authenticated call
    finds its account deleted while the token lives on), the headers of its success,
    other successes (`also`: status -> body type, None for none; a 3xx gets `Location`),
    and the body of a handler that reads it raw (`raw_body`: no `data` parameter to
    generate it from)."""
    if 401 in statuses:
        statuses = (*statuses, 410)
    others = {
        status: ResponseSpec(
            data_container=body,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status, body in (also or {}).items()
    }
    operation_class: type[Documented] = Documented
    if raw_body is not None:
        operation_class = type("DocumentedRawBody", (Documented,), {"raw_body": raw_body})
    return OperationDoc(
        responses=Declared({**problems(*statuses), **others}),
        response_headers=list(headers),
        operation_class=operation_class,
    )


class LinkTo(msgspec.Struct, frozen=True):
    """One OpenAPI link: call `operation_id` with parameters taken from this exchange."""

    operation_id: str
    parameters: dict[str, str]


_BATCH = {"batch_id": "$response.body#/id"}
_SAME_BATCH = {"batch_id": "$request.path.batch_id"}
_BATCH_LINKS = {
    "getBatch": LinkTo("getBatch", _BATCH),
    "updateBatch": LinkTo("updateBatch", _BATCH),
    "deleteBatch": LinkTo("deleteBatch", _BATCH),
    "addEvent": LinkTo("addEvent", _BATCH),
    "listEvents": LinkTo("listEvents", _BATCH),
    "suggestReminders": LinkTo("suggestReminders", _BATCH),
    "confirmReminder": LinkTo("confirmReminder", _BATCH),
    "listReminders": LinkTo("listReminders", _BATCH),
    "requestPhotoUpload": LinkTo("requestPhotoUpload", _BATCH),
    "listPhotos": LinkTo("listPhotos", _BATCH),
    "getBatchLabel": LinkTo("getBatchLabel", _BATCH),
    "getPublicBatch": LinkTo("getPublicBatch", _BATCH),
    "splitBatch": LinkTo("splitBatch", _BATCH),
}
_REMINDER = {**_SAME_BATCH, "reminder_id": "$response.body#/id"}
_CULTURE = {"culture_id": "$response.body#/id"}
_SAME_CULTURE = {"culture_id": "$request.path.culture_id"}
# A culture made by createCulture, splitCulture or claimGift: the same things follow.
_CULTURE_LINKS = {
    name: LinkTo(name, _CULTURE)
    for name in (
        "getCulture",
        "updateCulture",
        "deleteCulture",
        "addCultureEvent",
        "listCultureEvents",
        "splitCulture",
        "createGift",
        "suggestCultureCare",
        "getCultureLineage",
        "getPublicCulture",
    )
}

# From each creating operation to what can be done with what it created, by status.
LINKS: dict[str, dict[int, dict[str, LinkTo]]] = {
    "createBatch": {201: _BATCH_LINKS},
    "addEvent": {
        201: {
            "deleteEvent": LinkTo("deleteEvent", {**_SAME_BATCH, "event_id": "$response.body#/id"})
        }
    },
    "confirmReminder": {
        status: {
            name: LinkTo(name, _REMINDER)
            for name in ("getReminder", "updateReminder", "cancelReminder", "completeReminder")
        }
        for status in (200, 201)
    },
    "registerDevice": {
        201: {"unregisterDevice": LinkTo("unregisterDevice", {"device_id": "$response.body#/id"})}
    },
    "createCulture": {201: _CULTURE_LINKS},
    "splitCulture": {201: _CULTURE_LINKS},
    "claimGift": {201: _CULTURE_LINKS},
    "addCultureEvent": {
        201: {
            "deleteCultureEvent": LinkTo(
                "deleteCultureEvent", {**_SAME_CULTURE, "event_id": "$response.body#/id"}
            )
        }
    },
    "createGift": {
        201: {
            "getGiftLabel": LinkTo(
                "getGiftLabel", {**_SAME_CULTURE, "code": "$response.body#/code"}
            )
        }
    },
    "confirmPhoto": {
        201: {
            "deletePhoto": LinkTo("deletePhoto", {**_SAME_BATCH, "photo_id": "$response.body#/id"})
        }
    },
}


@dataclass
class Documented(Operation):
    """The operation class of every route: adds the correlation header to each response
    and the links this operation's responses lead to."""

    raw_body: ClassVar[RequestBody | None] = None

    def __post_init__(self) -> None:
        if self.raw_body is not None and self.request_body is None:
            self.request_body = self.raw_body
        links = LINKS.get(self.operation_id or "", {})
        responses = self.responses or {}
        litestar_400 = responses.get("400")
        if isinstance(litestar_400, OpenAPIResponse) and PROBLEM_MEDIA_TYPE not in (
            litestar_400.content or {}
        ):
            # Litestar's own guess ("a parameter may fail validation"), not in our shape:
            # operations that can answer 400 declare it through `contract()`.
            del responses["400"]
        for status, response in responses.items():
            if not isinstance(response, OpenAPIResponse):
                continue
            response.headers = {**(response.headers or {}), CORRELATION_HEADER: _CORRELATION}
            if int(status) == 304:
                response.headers.setdefault("ETag", _ETAG)
            elif 300 <= int(status) < 400:
                response.headers.setdefault("Location", _REDIRECT)
            if int(status) in (429, 503):
                response.headers["Retry-After"] = _RETRY
            if int(status) in (401, 404) and response.content is not None:
                # In AWS, API Gateway answers a missing or bad token (its JWT authorizer,
                # 401) and a path no route matches (404, e.g. an id holding a line break)
                # itself: its JSON message, without the app's correlation id.
                response.content["application/json"] = OpenAPIMediaType(schema=_GATEWAY_ANSWER)
                response.headers[CORRELATION_HEADER] = _CORRELATION_UNLESS_GATEWAY
            found = links.get(int(status), {})
            if found:
                response.links = {
                    name: Link(operation_id=link.operation_id, parameters=dict(link.parameters))
                    for name, link in found.items()
                }


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Request bodies refuse unknown fields (`forbid_unknown_fields`); say so in the
    schema (`additionalProperties: false`), or clients and fuzzers think extras pass.
    Litestar's own plugin (a private module: pinned `litestar<3` keeps it) does the rest."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        config: Any = getattr(field_definition.type_, "__struct_config__", None)
        if config is not None and config.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Kefir API",
        version="0.1.0",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(
            security_schemes={
                BEARER_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="A Cognito access token (an ID token is refused).",
                )
            }
        ),
        create_examples=False,
    )
