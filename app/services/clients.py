"""boto3 clients, each built once per process (once per Lambda cold start), and the
service objects built on them from the settings (one recipe for the app and the
Lambda entry points).

The DynamoDB client is built with the app, since every request uses it; the others
on first use, so a function that never touches S3 or Cognito never pays for loading
their service models at cold start. Endpoints come from `AWS_ENDPOINT_URL` (and
`AWS_ENDPOINT_URL_<SERVICE>`), read by boto3 itself: no emulator branches here.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from app.config import Settings
from app.services.cognito import UserDirectory, user_pool_id_from_issuer
from app.services.photos import PhotoObjects
from app.services.scheduler import ReminderScheduler

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

# Lambda handles one request at a time; short timeouts and standard retries keep a
# slow dependency from eating the whole function timeout.
BOTO_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)


class AwsClients:
    def __init__(self, region: str, dynamodb: DynamoDBClient | None = None) -> None:
        self.region = region
        self.dynamodb: DynamoDBClient = dynamodb or boto3.client(
            "dynamodb", region_name=region, config=BOTO_CONFIG
        )

    @cached_property
    def s3(self) -> S3Client:
        return boto3.client("s3", region_name=self.region, config=BOTO_CONFIG)

    @cached_property
    def scheduler(self) -> EventBridgeSchedulerClient:
        return boto3.client("scheduler", region_name=self.region, config=BOTO_CONFIG)

    @cached_property
    def cognito(self) -> CognitoIdentityProviderClient:
        return boto3.client("cognito-idp", region_name=self.region, config=BOTO_CONFIG)


def reminder_scheduler(settings: Settings, clients: AwsClients) -> ReminderScheduler | None:
    """None when reminders are not configured: their routes then answer 503."""
    if settings.reminders_schedule_group is None:
        return None
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
    return PhotoObjects(lambda: clients.s3, settings.photos_bucket, settings.photo_url_seconds)


def user_directory(settings: Settings, clients: AwsClients) -> UserDirectory:
    return UserDirectory(lambda: clients.cognito, user_pool_id_from_issuer(settings.cognito_issuer))
