"""Warm GET of a batch through the Lambda handler, beside a raw boto3 Query of the same items.

Both run in this process against the same emulator table; the handler gets the
event API Gateway would send (payload 2.0, authorizer claims), so the comparison is
everything the app adds on top of the one Query it makes.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from app.dev.stack import StackOutputs

SUB = "bench-user-0001"
# The app never reads the Lambda context object.
NO_CONTEXT: Any = None


def api_event(path: str, outputs: StackOutputs) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "bench.local", "accept": "application/json"},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": outputs.api_id,
            "domainName": "bench.local",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench",
            },
            "requestId": "bench",
            "routeKey": "ANY /{proxy+}",
            "stage": "$default",
            "timeEpoch": 0,
            "authorizer": {
                "jwt": {
                    "claims": {
                        "sub": SUB,
                        "token_use": "access",
                        "client_id": outputs.user_pool_client_id,
                        "iss": outputs.cognito_issuer,
                        "exp": str(int(time.time()) + 3600),
                    },
                    "scopes": None,
                }
            },
        },
        "isBase64Encoded": False,
    }


def _median_ms(call: Callable[[], object], runs: int) -> float:
    for _ in range(20):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(
    endpoint: str, outputs: StackOutputs, events: int = 20, runs: int = 300
) -> tuple[float, float]:
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        TABLE_NAME=outputs.table_name,
        COGNITO_ISSUER=outputs.cognito_issuer,
        COGNITO_CLIENT_ID=outputs.user_pool_client_id,
        COGNITO_JWKS_URL=outputs.cognito_jwks_url,
        AWS_REGION=outputs.region,
        LOG_LEVEL="WARNING",
    )
    from app.entrypoints.api import handler

    create = handler(
        _with_body(api_event("/batches", outputs), "POST", {"name": "bench", "kind": "kombucha"}),
        NO_CONTEXT,
    )
    batch_id = json.loads(create["body"])["id"]
    for i in range(events):
        handler(
            _with_body(
                api_event(f"/batches/{batch_id}/events", outputs),
                "POST",
                {"type": "note", "note": str(i)},
            ),
            NO_CONTEXT,
        )
    get_event = api_event(f"/batches/{batch_id}", outputs)
    response = handler(get_event, NO_CONTEXT)
    assert response["statusCode"] == 200, response
    assert len(json.loads(response["body"])["events"]) == events

    raw = boto3.client("dynamodb", region_name=outputs.region)

    def raw_query() -> object:
        return raw.query(
            TableName=outputs.table_name,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": {"S": f"USER#{SUB}"},
                ":lo": {"S": f"BATCH#{batch_id}"},
                ":hi": {"S": f"BATCH#{batch_id}#EVENT$"},
            },
            Limit=101,
            ConsistentRead=True,
        )

    handler_ms, raw_ms = [], []
    for _ in range(3):  # alternate blocks so the emulator's own drift hits both
        handler_ms.append(_median_ms(lambda: handler(get_event, NO_CONTEXT), runs // 3))
        raw_ms.append(_median_ms(raw_query, runs // 3))
    return statistics.median(handler_ms), statistics.median(raw_ms)


def _with_body(event: dict[str, Any], method: str, body: dict[str, Any]) -> dict[str, Any]:
    event = json.loads(json.dumps(event))
    event["requestContext"]["http"]["method"] = method
    event["headers"]["content-type"] = "application/json"
    event["body"] = json.dumps(body)
    return event
