"""AWS clients, each built once per process (once per Lambda cold start), and the
service objects built on them from the settings (one recipe for the app and the
Lambda entry points; each imports its service module on use, so a function that never
schedules, stores photos or asks Cognito does not load that code).

The DynamoDB client is built with the app, since every request uses it; the others
on first use, so a function that never touches S3 or Cognito never pays for loading
their service models at cold start. Endpoints come from `AWS_ENDPOINT_URL` (and
`AWS_ENDPOINT_URL_<SERVICE>`), read by botocore itself: no emulator branches here.

The clients come from botocore's session, not boto3's: they are the same client
objects (boto3.client only forwards), but importing boto3 also loads its resource
layer and S3 transfer manager (s3transfer, multiprocessing), which the app never uses,
for about 45 ms of every cold start.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, cast

import botocore.session
from botocore.config import Config

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

    from app.config import Settings
    from app.services.cognito import UserDirectory
    from app.services.photos import PhotoObjects
    from app.services.push import PushSender
    from app.services.scheduler import ReminderScheduler

# Lambda handles one request at a time; short timeouts and standard retries keep a
# slow dependency from eating the whole function timeout.
BOTO_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)


# For a hot path whose requests are built by our own store code, never from user input
# field by field: botocore's client-side check of every parameter against the service
# model costs more CPU than the rest of an ingest (measured: ~0.3 ms, on the 4-item
# transaction ingest made before it wrote one item). DynamoDB checks every request
# itself and answers ValidationException.
UNCHECKED = BOTO_CONFIG.merge(Config(parameter_validation=False))


class AwsClients:
    def __init__(
        self, region: str, dynamodb: DynamoDBClient | None = None, *, hot_path: bool = False
    ) -> None:
        """`hot_path`: the DynamoDB client skips botocore's parameter validation (the
        ingest function, which runs the same few requests for every reading)."""
        self.region = region
        self._session = botocore.session.get_session()
        self.dynamodb: DynamoDBClient = dynamodb or cast(
            "DynamoDBClient", self._client("dynamodb", UNCHECKED if hot_path else BOTO_CONFIG)
        )

    @cached_property
    def s3(self) -> S3Client:
        return cast("S3Client", self._client("s3"))

    @cached_property
    def scheduler(self) -> EventBridgeSchedulerClient:
        return cast("EventBridgeSchedulerClient", self._client("scheduler"))

    @cached_property
    def cognito(self) -> CognitoIdentityProviderClient:
        return cast("CognitoIdentityProviderClient", self._client("cognito-idp"))

    def _client(self, service: str, config: Config = BOTO_CONFIG) -> BaseClient:
        return self._session.create_client(service, region_name=self.region, config=config)


def reminder_scheduler(settings: Settings, clients: AwsClients) -> ReminderScheduler | None:
    """None when reminders are not configured: their routes then answer 503."""
    if settings.reminders_schedule_group is None:
        return None
    from app.services.scheduler import ReminderScheduler

    return ReminderScheduler(
        lambda: clients.scheduler,
        group=settings.reminders_schedule_group,
        function_arn=settings.reminders_function_arn or "",
        role_arn=settings.scheduler_role_arn or "",
        dead_letter_arn=settings.reminders_dlq_arn or "",
    )


def photo_objects(settings: Settings, clients: AwsClients) -> PhotoObjects | None:
    """S3 for photos and exports; the client is built on first use, not at cold start."""
    if settings.photos_bucket is None:
        return None
    from app.services.photos import PhotoObjects

    return PhotoObjects(lambda: clients.s3, settings.photos_bucket, settings.photo_url_seconds)


def user_directory(settings: Settings, clients: AwsClients) -> UserDirectory:
    from app.services.cognito import UserDirectory, user_pool_id_from_issuer

    return UserDirectory(lambda: clients.cognito, user_pool_id_from_issuer(settings.cognito_issuer))


def push(settings: Settings) -> PushSender:
    """Expo's push API (or the log-only sender), imported on use: httpx is not cheap."""
    from app.services.push import push_sender

    return push_sender(settings.expo_push_url, settings.expo_access_token)
