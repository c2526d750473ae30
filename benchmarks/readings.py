"""Readings: ingest through the ingest Lambda handler as shipped (the built zip) beside a
raw PutItem of the same reading, and a 30,000-point series downsampled through the API
handler beside a raw paginated Query of the same partition (time and DynamoDB calls).

The ingest handler does what a reading needs (warm: one PutItem of the sensor's token
item, conditioned on its version; the alerts function files it from the table's stream,
off the device's request); the raw PutItem is the floor of storing anything at all.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from app.dev.emulator import DUMMY_CREDENTIALS, ensure_venv
from app.dev.stack import StackOutputs
from benchmarks.cold_start import unpacked
from benchmarks.warm_get import NO_CONTEXT, SUB, _with_body, api_event

SERIES_POINTS = 30_000


class Calls:
    """Counts DynamoDB calls made through a client (botocore's before-call hook)."""

    def __init__(self, client: Any) -> None:
        self.count = 0
        client.meta.events.register("before-call.dynamodb", self._seen)

    def _seen(self, **_: Any) -> None:
        self.count += 1


def _timed(call: Callable[[int], object], runs: int, offset: int = 0) -> list[float]:
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(offset + i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# Runs in a fresh `python -I -S -B` of the functions' Python that sees only the unpacked
# zip, as Lambda does: the handler as shipped, and the raw PutItem through the zip's own
# botocore, timed in alternate blocks so the machine's drift hits both alike.
_INGEST_LOOP = """
import json, os, statistics, sys, time
sys.path.insert(0, sys.argv[1])
setup = json.loads(sys.argv[2])
from app.entrypoints.ingest import handler
import botocore.session

raw = botocore.session.get_session().create_client("dynamodb", region_name=setup["region"])
event = setup["event"]

def reading(i):
    minute = setup["first"] + 60 * i
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(minute))
    return at, 1.050 - i * 1e-6

def via_handler(i):
    at, gravity = reading(i)
    event["body"] = json.dumps({"gravity": gravity, "temperatureC": 21.5, "at": at})
    response = handler(event, None)
    assert response["statusCode"] == 200, response

def raw_put(i):
    at, gravity = reading(i)
    raw.put_item(TableName=setup["table"], Item={
        "PK": {"S": "BENCHRAW#" + setup["batch"]}, "SK": {"S": "R#" + at + "#sensor"},
        "at": {"S": at}, "n": {"N": "1"}, "gravitySum": {"N": repr(gravity)},
        "gravityN": {"N": "1"}, "temperatureSum": {"N": "21.5"}, "temperatureN": {"N": "1"},
    })

token_version = [0]

def raw_token_put(i):
    # What the handler writes, by hand: the token item carrying the reading, replaced on
    # the condition of its version (the floor of this design).
    at, gravity = reading(i)
    raw.put_item(TableName=setup["table"], Item={
        "PK": {"S": "BENCHTOKEN#" + setup["batch"]}, "SK": {"S": "TOKEN"},
        "entity": {"S": "bench"}, "sub": {"S": setup["batch"]},
        "batchId": {"S": setup["batch"]}, "sensorId": {"S": "sensor"},
        "kind": {"S": "kombucha"}, "startedAt": {"S": "2026-12-01T00:00:00Z"},
        "version": {"N": str(token_version[0] + 1)}, "arrivalMinute": {"S": at[:16]},
        "arrivals": {"N": "1"}, "receivedAt": {"S": at},
        "reading": {"S": json.dumps({"at": at, "gravity": gravity, "temperature": 21.5})},
    }, ConditionExpression="attribute_not_exists(PK) OR version = :seen",
       ExpressionAttributeValues={":seen": {"N": str(token_version[0])}})
    token_version[0] += 1

def timed(call, runs, offset):
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(offset + i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples

runs = setup["runs"]
timed(via_handler, 20, 5000)  # warm-up, in minutes of their own
timed(raw_put, 20, 5000)
timed(raw_token_put, 20, 5000)
handler_ms, raw_ms, token_ms = [], [], []
for block in range(3):
    handler_ms += timed(via_handler, runs // 3, block * runs)
    raw_ms += timed(raw_put, runs // 3, block * runs)
    token_ms += timed(raw_token_put, runs // 3, block * runs)
print(json.dumps({"handler_ms": statistics.median(handler_ms),
                  "raw_ms": statistics.median(raw_ms),
                  "token_put_ms": statistics.median(token_ms)}))
"""


def measure_ingest(
    endpoint: str, outputs: StackOutputs, zip_path: Path, runs: int = 300
) -> dict[str, float]:
    """Median ms of one reading through the ingest handler as shipped (the built zip,
    unpacked read-only, imported by the functions' Python), of a raw PutItem of the
    same reading, and of a raw conditional PutItem of the token item the handler writes,
    all from the same process. The last is the floor of this design (one write that
    carries the reading and refuses a revoked or moved token); handler minus it is our
    code."""
    from app.entrypoints.api import handler as api

    created = api(
        _with_body(api_event("/batches", outputs), "POST", {"name": "bench", "kind": "kombucha"}),
        NO_CONTEXT,
    )
    batch_id = json.loads(created["body"])["id"]
    registered = api(
        _with_body(api_event(f"/batches/{batch_id}/sensors", outputs), "POST", {"name": "b"}),
        NO_CONTEXT,
    )
    token = json.loads(registered["body"])["token"]
    event = _with_body(api_event(f"/ingest/{token}", outputs), "POST", {})
    del event["requestContext"]["authorizer"]
    first = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=5)
    setup = {
        "event": event,
        "first": int(first.timestamp()),
        "table": outputs.table_name,
        "batch": batch_id,
        "region": outputs.region,
        "runs": runs,
    }
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **outputs.environment,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": outputs.region,
        "LOG_LEVEL": "WARNING",
        **DUMMY_CREDENTIALS,
    }
    with unpacked(zip_path) as code:
        result = subprocess.run(
            [str(ensure_venv()), "-I", "-S", "-B", "-c", _INGEST_LOOP, str(code),
             json.dumps(setup)],
            env=environment, cwd=code, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"the ingest loop failed:\n{result.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _fill_series(client: Any, table: str, sub: str, batch_id: str, start: datetime) -> None:
    """30,000 minute readings written straight to the table, in the shape ingest writes."""
    requests = []
    for i in range(SERIES_POINTS):
        at = start + timedelta(minutes=i)
        minute = at.strftime("%Y-%m-%dT%H:%MZ")
        requests.append(
            {
                "PutRequest": {
                    "Item": {
                        "PK": {"S": f"READINGS#{sub}#{batch_id}"},
                        "SK": {"S": f"R#{minute}#bench-sensor"},
                        "at": {"S": at.isoformat().replace("+00:00", "Z")},
                        "sensorId": {"S": "bench-sensor"},
                        "n": {"N": "1"},
                        "gravitySum": {"N": repr(round(1.060 - i * 1e-6, 6))},
                        "gravityN": {"N": "1"},
                        "temperatureSum": {"N": repr(20.0 + (i % 60) / 10)},
                        "temperatureN": {"N": "1"},
                    }
                }
            }
        )
    for startat in range(0, len(requests), 25):
        chunk = requests[startat : startat + 25]
        while chunk:
            answer = client.batch_write_item(RequestItems={table: chunk})
            chunk = answer.get("UnprocessedItems", {}).get(table, [])


def measure_series(outputs: StackOutputs, runs: int = 9) -> dict[str, float]:
    """The app is built here around a client with the raw client's read timeout: the
    emulator reads a 30k-item partition far slower than DynamoDB does, past the app's
    5 s production timeout, and the figure compared is the work, not the timeout."""
    from mangum import Mangum

    from app.config import get_settings
    from app.main import create_app

    app_client = boto3.client(
        "dynamodb",
        region_name=outputs.region,
        config=Config(read_timeout=120, retries={"max_attempts": 1}),
    )
    api = Mangum(create_app(get_settings(), dynamodb=app_client), lifespan="off")  # type: ignore[arg-type]
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=21)
    created = api(
        _with_body(
            api_event("/batches", outputs),
            "POST",
            {"name": "series", "kind": "water_kefir", "startedAt": start.isoformat()},
        ),
        NO_CONTEXT,
    )
    batch_id = json.loads(created["body"])["id"]
    raw = boto3.client(
        "dynamodb",
        region_name=outputs.region,
        config=Config(read_timeout=120, retries={"max_attempts": 1}),
    )
    _fill_series(raw, outputs.table_name, SUB, batch_id, start)
    end = start + timedelta(minutes=SERIES_POINTS)
    query = f"metric=gravity&points=500&from={_q(start)}&to={_q(end)}"
    event = api_event(f"/batches/{batch_id}/readings", outputs)
    event["rawQueryString"] = query

    app_calls = Calls(app_client)
    raw_calls = Calls(raw)

    def via_handler(_: int) -> None:
        response = api(event, NO_CONTEXT)
        assert response["statusCode"] == 200, response
        series = json.loads(response["body"])
        assert series["rawPoints"] == SERIES_POINTS, series["rawPoints"]
        assert len(series["buckets"]) <= 500

    def raw_query(_: int) -> None:
        params: dict[str, Any] = {
            "TableName": outputs.table_name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"READINGS#{SUB}#{batch_id}"},
                ":lo": {"S": "R#"},
                ":hi": {"S": "R#~"},
            },
        }
        seen = 0
        while True:
            page = raw.query(**params)
            seen += len(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert seen == SERIES_POINTS

    via_handler(0)
    raw_query(0)
    app_calls.count = raw_calls.count = 0
    handler_ms = _timed(via_handler, runs)
    raw_ms = _timed(raw_query, runs)
    return {
        "handler_ms": statistics.median(handler_ms),
        "raw_ms": statistics.median(raw_ms),
        "handler_calls": app_calls.count / runs,
        "raw_calls": raw_calls.count / runs,
    }


def _q(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
