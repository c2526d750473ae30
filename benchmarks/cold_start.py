"""Cold start: import and build of the Lambda handler in a fresh process, beside the floor.

The floor is what any Lambda of this shape pays: import boto3, build one DynamoDB
client, and a one-route Litestar app wrapped in Mangum. Each figure is measured
inside a fresh interpreter from before the first import to a built handler.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

HANDLER = """
import time
started = time.perf_counter()
import app.entrypoints.api
print(time.perf_counter() - started)
"""

FLOOR = """
import time
started = time.perf_counter()
import boto3
from litestar import Litestar, get
from mangum import Mangum

client = boto3.client("dynamodb", region_name="us-east-1")

@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}

handler = Mangum(Litestar([health]), lifespan="off")
print(time.perf_counter() - started)
"""

ENVIRONMENT = {
    "TABLE_NAME": "bench",
    "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
    "COGNITO_CLIENT_ID": "bench",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
}


def time_fresh_process(code: str) -> float:
    env = os.environ | ENVIRONMENT | {"PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def measure(runs: int = 9) -> tuple[float, float]:
    time_fresh_process(HANDLER)  # bytecode caches warm, as in a deployed image
    time_fresh_process(FLOOR)
    handler, floor = [], []
    for _ in range(runs):  # interleaved, so drift on the machine hits both alike
        handler.append(time_fresh_process(HANDLER))
        floor.append(time_fresh_process(FLOOR))
    return statistics.median(handler), statistics.median(floor)
