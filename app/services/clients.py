"""boto3 clients, each built once per process (once per Lambda cold start).

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
