"""What the tests share besides fixtures (those are in conftest.py): requests to the app,
lookups in the emulator, waits, and the Terraform runner. None of them fakes a response."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings, get_settings
from app.dev.emulator import DUMMY_CREDENTIALS

if TYPE_CHECKING:
    from app.dev.stack import StackOutputs
    from tests.conftest import User

PROBLEM = "application/problem+json"
REPO = Path(__file__).resolve().parent.parent
TERRAFORM = REPO / "terraform"
# The emulator's scheduler sweeps every 10 s; a cold function starts in a few seconds.
SWEEP_TIMEOUT = 30.0
POLL_SECONDS = 0.2


# --- requests to the app ------------------------------------------------------------------


def create_batch(client: TestClient[Litestar], user: User, **fields: Any) -> dict[str, Any]:
    body = {"name": "Morning kefir", "kind": "milk_kefir", **fields}
    response = client.post("/batches", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def add_event(
    client: TestClient[Litestar], user: User, batch_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"type": "feed", **fields}
    response = client.post(f"/batches/{batch_id}/events", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"].endswith("/" + slug), problem
    assert "Traceback" not in response.text
    return problem


# --- the table, read and seeded directly ---------------------------------------------------


def partition_items(dynamodb: Any, table_name: str, sub: str) -> list[dict[str, Any]]:
    """Every item in a user's partition, page after page, read consistently."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {
        "TableName": table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"USER#{sub}"}},
        "ConsistentRead": True,
    }
    while True:
        page = dynamodb.query(**params)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def put_items(dynamodb: Any, table_name: str, items: list[dict[str, Any]]) -> None:
    """BatchWriteItem, 25 at a time: thousands of items (built with the store's own
    mappers) in seconds, where the API would take minutes."""
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        while requests:
            answer = dynamodb.batch_write_item(RequestItems={table_name: requests})
            requests = answer.get("UnprocessedItems", {}).get(table_name, [])


# --- waits: poll a condition until a deadline, never sleep a fixed time -------------------


def wait_until(check: Callable[[], bool], timeout: float, interval: float = POLL_SECONDS) -> bool:
    """Whether `check` held within `timeout` seconds; asked once more at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


def wait_until_moment(check: Callable[[], bool], until: datetime) -> bool:
    """`wait_until` with a wall-clock deadline, for times the app itself scheduled."""
    return wait_until(check, (until - datetime.now(UTC)).total_seconds())


def wait_for_health(
    base_url: str,
    process: subprocess.Popen[Any] | None = None,
    output: Callable[[], str] = str,
    timeout: float = 30.0,
) -> None:
    """Return once `GET /health` answers 200; fail early, with `output()`, if the server
    process has exited."""

    def healthy() -> bool:
        assert process is None or process.poll() is None, f"the server exited:\n{output()}"
        try:
            return httpx.get(f"{base_url}/health", timeout=timeout).status_code == 200
        except httpx.TransportError:
            return False

    assert wait_until(healthy, timeout), f"{base_url} not healthy after {timeout:g} s\n{output()}"


def wait_for_scheduler_sweep(endpoint: str, stack: StackOutputs) -> None:
    """Return once the emulator's EventBridge Scheduler has swept again after this call.

    A marker schedule, due at once, sends to a queue of its own; its message arriving
    proves a whole sweep has run since (a sweep fires everything due in one pass).
    """
    scheduler = boto3.client("scheduler", endpoint_url=endpoint, region_name=stack.region)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=stack.region)
    name = f"sweep-{uuid.uuid4().hex[:12]}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    try:
        scheduler.create_schedule(
            Name=name,
            ScheduleExpression=f"at({datetime.now(UTC):%Y-%m-%dT%H:%M:%S})",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={"Arn": queue["Attributes"]["QueueArn"], "RoleArn": stack.scheduler_role_arn},
        )

        def delivered() -> bool:
            received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
            return bool(received.get("Messages"))

        assert wait_until(delivered, SWEEP_TIMEOUT), f"no sweep within {SWEEP_TIMEOUT:g} s"
    finally:
        sqs.delete_queue(QueueUrl=queue_url)


# --- the reminders' schedules in the emulator ---------------------------------------------


def group_schedules(scheduler: Any, stack: StackOutputs) -> list[str]:
    names: list[str] = []
    for page in scheduler.get_paginator("list_schedules").paginate(
        GroupName=stack.reminders_schedule_group
    ):
        names += [s["Name"] for s in page["Schedules"]]
    return names


def schedule(scheduler: Any, stack: StackOutputs, reminder_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = scheduler.get_schedule(
            Name=f"reminder-{reminder_id}", GroupName=stack.reminders_schedule_group
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return None
    return found


# --- Terraform ----------------------------------------------------------------------------


def terraform(*args: str, cwd: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """One Terraform command with its own data dir and dummy credentials only, so a
    provider left unpointed fails instead of reaching a real account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1", **DUMMY_CREDENTIALS}
    return subprocess.run(
        ["terraform", *args, "-no-color"] if args[0] != "init" else ["terraform", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def create_culture(client: TestClient[Litestar], user: User, **fields: Any) -> dict[str, Any]:
    body = {"name": "Grandma's grains", "kind": "milk_kefir_grains", **fields}
    response = client.post("/cultures", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def add_culture_event(
    client: TestClient[Litestar], user: User, culture_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"type": "feed", **fields}
    response = client.post(f"/cultures/{culture_id}/events", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def function_environment(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, endpoint: str
) -> None:
    """The environment a deployed function reads its settings from (`get_settings`), for
    calling an entry point's `handler(event, context)` in process as Lambda does."""
    for name, value in {
        "TABLE_NAME": settings.table_name,
        "COGNITO_ISSUER": settings.cognito_issuer,
        "COGNITO_CLIENT_ID": settings.cognito_client_id,
        "AWS_REGION": settings.aws_region,
        "AWS_ENDPOINT_URL": endpoint,
        "EXPO_PUSH_URL": settings.expo_push_url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
