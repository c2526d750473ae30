"""The OpenAPI document's own promises, read from the document `create_app()` builds.

Schemathesis checks the app against the document; these check that the document says
what the apps' generated clients rely on, for every operation at once.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.api.errors import PROBLEM_MEDIA_TYPE
from app.dev import openapi

# The only operations anyone may call without a token.
# Ingest: devices cannot sign in; the sensor's secret token (path or X-Api-Key) is the
# credential, an unknown one answers 404.
PUBLIC = {
    "health",
    "getPublicBatch",
    "getPublicCover",
    "getPublicCulture",
    "ingestReading",
    "ingestReadingWithKey",
}
METHODS = {"get", "put", "post", "patch", "delete", "options", "head"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.document()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_operation_ids_are_unique_and_given(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert all(ids)
    assert len(ids) == len(set(ids))


def test_protected_operations_need_a_bearer_token_and_declare_401_and_410(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"} | {
        "description": scheme["description"]
    }
    for method, path, operation in operations(document):
        if operation["operationId"] in PUBLIC:
            assert not operation.get("security"), (method, path)
            assert "401" not in operation["responses"], (method, path)
        else:
            assert operation.get("security") == [{"bearerAuth": []}], (method, path)
            assert {"401", "410"} <= set(operation["responses"]), (method, path)


def test_every_error_is_a_problem_with_field_errors(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status"}
    field_error = problem["properties"]["errors"]["oneOf"][0]["items"]["$ref"]
    assert field_error == "#/components/schemas/FieldError"
    for method, path, operation in operations(document):
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert "500" in errors, (method, path)
        for status, response in errors.items():
            schema = response["content"][PROBLEM_MEDIA_TYPE]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_every_response_carries_the_correlation_id(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "X-Correlation-Id" in names, (method, path)
        for status, response in operation["responses"].items():
            header = response["headers"]["X-Correlation-Id"]
            # API Gateway's own 401 and 404 (in AWS) come without it.
            assert header["required"] is (status not in ("401", "404")), (method, path, status)


def test_created_resources_link_to_what_can_be_done_with_them(document: dict[str, Any]) -> None:
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    created = by_id["createBatch"]["responses"]["201"]
    assert created["headers"]["Location"]["required"]
    links = created["links"]
    assert {"getBatch", "updateBatch", "deleteBatch", "addEvent", "splitBatch"} <= set(links)
    for culture_made in ("createCulture", "splitCulture", "claimGift"):
        response = by_id[culture_made]["responses"]["201"]
        assert response["headers"]["Location"]["required"], culture_made
        assert {"getCulture", "updateCulture", "deleteCulture", "addCultureEvent"} <= set(
            response["links"]
        ), culture_made
    assert "deleteCultureEvent" in by_id["addCultureEvent"]["responses"]["201"]["links"]
    assert "getGiftLabel" in by_id["createGift"]["responses"]["201"]["links"]
    assert "unregisterDevice" in by_id["registerDevice"]["responses"]["201"]["links"]
    for _, _, operation in operations(document):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                target = by_id[link["operationId"]]
                declared = {p["name"] for p in target.get("parameters", [])}
                assert set(link["parameters"]) <= declared, link


def test_the_constraints_the_app_enforces_are_stated(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    limit = next(p for p in by_id["listBatches"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)
    batch_id = next(p for p in by_id["getBatch"]["parameters"] if p["name"] == "batch_id")
    assert batch_id["schema"]["pattern"] == "^[0-9A-HJKMNP-TV-Z]{26}$"
    ph = schemas["CreateEvent"]["properties"]["ph"]
    assert (ph["minimum"], ph["maximum"]) == (0, 14)
    assert schemas["CreateBatch"]["properties"]["name"]["maxLength"] == 120
    assert "Europe/Berlin" in schemas["UpdateProfile"]["properties"]["timeZone"]["enum"]
    assert schemas["CreateBatch"]["additionalProperties"] is False
    started = schemas["CreateBatch"]["properties"]["startedAt"]["oneOf"][0]
    assert started["format"] == "date-time"
    # Cultures, gifts and bottles.
    grams = schemas["CreateCultureEvent"]["properties"]["grams"]
    assert (grams["exclusiveMinimum"], grams["maximum"]) == (0, 100_000)
    assert schemas["CreateCulture"]["properties"]["name"]["maxLength"] == 120
    assert "scoby" in schemas["CreateCulture"]["properties"]["kind"]["enum"]
    assert schemas["ClaimGift"]["properties"]["code"]["maxLength"] == 40
    assert schemas["UpdateCulture"]["additionalProperties"] is False
    count = schemas["SplitBatch"]["properties"]["count"]
    assert (count["minimum"], count["maximum"]) == (1, 24)
    pages = by_id["listCultureEvents"]["parameters"]
    limit = next(p for p in pages if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)


def test_the_culture_routes_declare_what_they_answer(document: dict[str, Any]) -> None:
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    expected = {
        "createCulture": {"201", "400", "401", "410", "413", "500"},
        "claimGift": {"201", "400", "401", "404", "409", "410", "413", "500"},
        "getCulture": {"200", "304", "400", "401", "404", "410", "500"},
        "updateCulture": {"200", "400", "401", "404", "409", "410", "413", "500"},
        "deleteCulture": {"204", "401", "404", "410", "500"},
        "addCultureEvent": {"201", "400", "401", "404", "409", "410", "413", "500"},
        "createGift": {"201", "401", "404", "409", "410", "500"},
        "getGiftLabel": {"200", "401", "404", "409", "410", "500"},
        "getPublicCulture": {"200", "404", "500"},
        "splitBatch": {"201", "400", "401", "404", "409", "410", "413", "500"},
    }
    for operation_id, statuses in expected.items():
        assert set(by_id[operation_id]["responses"]) == statuses, operation_id
    assert "ETag" in by_id["getCulture"]["responses"]["200"]["headers"]
    label = by_id["getGiftLabel"]["responses"]["200"]["content"]
    assert set(label) == {"image/svg+xml"}
