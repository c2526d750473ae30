"""One emulator per test session, with the local Terraform environment applied to it.

Tests drive the app over HTTP (Litestar's test client) and the deployed Lambda through
the emulator's API Gateway; every AWS call goes to the emulator through real boto3.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import jwt
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.config import Settings
from app.dev.emulator import DUMMY_CREDENTIALS, Emulator
from app.dev.lambda_zip import build_zip
from app.dev.stack import StackOutputs, apply_local
from app.dev.token import access_token
from app.main import create_app
from tests.expo_server import ExpoServer
from tests.helpers import wait_for_health
from tests.stream import Filer, StreamTail

# What the public page, labels and app links are built from in the tests.
PUBLIC_BASE_URL = "https://kefir.test"
APPLE_APP_ID = "ABCDE12345.app.kefir"
ANDROID_PACKAGE = "app.kefir"
ANDROID_FINGERPRINT = ":".join(["AB"] * 32)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy: build/ is shared, and another session rebuilding it mid-run would
    make this session's second plan see a new source_code_hash."""
    private = tmp_path_factory.mktemp("zip") / "lambda.zip"
    shutil.copyfile(build_zip(), private)
    return private


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def expo() -> Iterator[ExpoServer]:
    """The loopback Expo push server that the app and the deployed functions push to."""
    with ExpoServer() as server:
        yield server


@pytest.fixture(scope="session")
def stack_environment(expo: ExpoServer) -> dict[str, str]:
    """Extra environment of the deployed functions (a second plan must pass the same)."""
    return {"EXPO_PUSH_URL": expo.url}


@pytest.fixture(scope="session")
def stack(
    emulator: Emulator, lambda_zip: Path, stack_dir: Path, stack_environment: dict[str, str]
) -> StackOutputs:
    # The silence check's schedule exists but stays off: the suite's readings carry past
    # times, and a check every minute would fire "sensor offline" in the middle of other
    # tests. tests/e2e/test_silence_schedule.py turns it on for itself. Set for the
    # session, so every later plan of this stack passes the same.
    os.environ["TF_VAR_silence_check_enabled"] = "false"  # noqa: SIM112 (Terraform variable names are case-sensitive)
    # The same for the readings feed (the table's stream into the deployed alerts
    # function): the api tests apply the stream in-process, reading it with boto3 on
    # their own emulated clock, and a deployed consumer would race them. The end-to-end
    # test of the feed enables the mapping for itself.
    os.environ["TF_VAR_readings_feed_enabled"] = "false"  # noqa: SIM112
    return apply_local(
        emulator.endpoint, stack_dir, lambda_zip, extra_environment=stack_environment
    )


@pytest.fixture(scope="session", autouse=True)
def aws_environment() -> Iterator[None]:
    """Dummy credentials for every boto3 client the tests and the app build."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    os.environ.update(DUMMY_CREDENTIALS)
    yield
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]
    os.environ.update(saved)


@pytest.fixture(scope="session")
def settings(stack: StackOutputs, emulator: Emulator, expo: ExpoServer) -> Settings:
    os.environ["AWS_ENDPOINT_URL"] = emulator.endpoint
    return Settings(
        table_name=stack.table_name,
        cognito_issuer=stack.cognito_issuer,
        cognito_client_id=stack.user_pool_client_id,
        cognito_jwks_url=stack.cognito_jwks_url,
        aws_region=stack.region,
        app_env="test",
        reminders_schedule_group=stack.reminders_schedule_group,
        reminders_function_arn=stack.reminders_function_arn,
        scheduler_role_arn=stack.scheduler_role_arn,
        reminders_dlq_arn=stack.reminders_dlq_arn,
        expo_push_url=expo.url,
        photos_bucket=stack.photos_bucket,
        public_base_url=PUBLIC_BASE_URL,
        apple_app_id=APPLE_APP_ID,
        android_package=ANDROID_PACKAGE,
        android_cert_fingerprints=(ANDROID_FINGERPRINT,),
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def dynamodb(emulator: Emulator, stack: StackOutputs) -> Any:
    return boto3.client("dynamodb", endpoint_url=emulator.endpoint, region_name=stack.region)


@pytest.fixture(scope="session")
def file_readings(app: Litestar, dynamodb: Any, emulator: Emulator, stack: StackOutputs) -> Filer:
    """Call it after posting readings: it files them (the stream's consumer, in process)
    and returns the alerts they fired."""
    streams = boto3.client(
        "dynamodbstreams", endpoint_url=emulator.endpoint, region_name=stack.region
    )
    return Filer(StreamTail(dynamodb, streams, stack.table_name), app.state.posted_readings)


@pytest.fixture(scope="session")
def scheduler(emulator: Emulator, stack: StackOutputs) -> Any:
    return boto3.client("scheduler", endpoint_url=emulator.endpoint, region_name=stack.region)


@pytest.fixture(scope="session")
def gateway(emulator: Emulator, stack: StackOutputs) -> Iterator[httpx.Client]:
    """The deployed API behind the emulator's API Gateway (JWT authorizer, zip Lambdas)."""
    base = f"{emulator.endpoint}/_aws/execute-api/{stack.api_id}"
    # The first call starts the function's worker (a few seconds); later ones are warm.
    wait_for_health(base, timeout=60)
    with httpx.Client(base_url=base, timeout=60) as http:
        yield http


class User:
    def __init__(self, email: str, token: str) -> None:
        self.email = email
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}
        # The tests read the subject to look at the user's partition; the app verifies it.
        self.sub = str(jwt.decode(token, options={"verify_signature": False})["sub"])


def new_user(stack: StackOutputs, emulator: Emulator, name: str) -> User:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    token = access_token(
        email, stack.user_pool_id, stack.user_pool_client_id, endpoint=emulator.endpoint
    )
    return User(email, token)


@pytest.fixture(scope="session")
def alice(stack: StackOutputs, emulator: Emulator) -> User:
    return new_user(stack, emulator, "alice")


@pytest.fixture(scope="session")
def bob(stack: StackOutputs, emulator: Emulator) -> User:
    return new_user(stack, emulator, "bob")
