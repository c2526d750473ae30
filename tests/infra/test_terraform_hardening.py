"""What the local stack applied for the hardening the emulator cannot act out.

Key policies, Lambda's async retries and API Gateway throttling are enforced by AWS, not
by the emulator: these tests read back what Terraform applied (the module READMEs say
why it is right in AWS).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.infra.test_scheduling_terraform import policy

# API Gateway HTTP APIs give up on an integration after 30 s.
HTTP_API_INTEGRATION_LIMIT_S = 30


@pytest.fixture(scope="module")
def aws(emulator: Emulator, stack: StackOutputs) -> Any:
    def client(name: str) -> Any:
        return boto3.client(name, endpoint_url=emulator.endpoint, region_name=stack.region)  # type: ignore[call-overload]

    return client


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use(
    aws: Any, stack: StackOutputs
) -> None:
    """Issue 10, item 1: with alias/aws/sns no alarm could ever publish."""
    attributes = aws("sns").get_topic_attributes(TopicArn=stack.alarm_topic_arn)["Attributes"]
    key_id = attributes["KmsMasterKeyId"]
    assert key_id != "alias/aws/sns"
    kms = aws("kms")
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyManager"] == "CUSTOMER"
    assert metadata["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True

    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    statements = policy["Statement"]
    assert not [s for s in statements if s["Effect"] != "Allow"]
    [cloudwatch] = [
        s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert set(_as_list(cloudwatch["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    # The account keeps administering its key (otherwise nobody could change the policy).
    account = stack.alarm_topic_arn.split(":")[4]
    [admin] = [s for s in statements if s["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}]
    assert _as_list(admin["Action"]) == ["kms:*"]
    # No one else may use it.
    assert len(statements) == 2


def test_a_reminder_event_that_keeps_failing_goes_to_a_queue(aws: Any, stack: StackOutputs) -> None:
    """Issue 10, item 6: after Lambda's retries an async event is kept, not dropped."""
    lam = aws("lambda")
    config = lam.get_function_event_invoke_config(FunctionName=stack.reminders_function_name)
    assert config["MaximumRetryAttempts"] == 2
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination.endswith(f":{stack.reminders_function_name}-failed")
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == destination
    assert attributes["SqsManagedSseEnabled"] == "true"
    # Lambda sends the failure record with the function's own role.
    statements = policy(aws("iam"), stack.reminders_function_name)
    [send] = [s for s in statements if s["Action"] == "sqs:SendMessage"]
    assert send["Resource"] == destination
    # Only the asynchronously invoked function has one.
    for key, name in stack.function_names.items():
        if key != "reminders":
            with pytest.raises(lam.exceptions.ResourceNotFoundException):
                lam.get_function_event_invoke_config(FunctionName=name)


def test_reminders_has_reserved_concurrency_and_the_http_functions_share_the_rest(
    aws: Any, stack: StackOutputs
) -> None:
    """Issue 10, item 8: a burst of due reminders cannot starve the API, nor the reverse."""
    lam = aws("lambda")
    reserved = lam.get_function_concurrency(FunctionName=stack.reminders_function_name)
    assert reserved["ReservedConcurrentExecutions"] == 10
    for key, name in stack.function_names.items():
        if key != "reminders":
            assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(
                FunctionName=name
            ), key


def test_the_expensive_routes_have_their_own_limits_below_the_stages(
    aws: Any, stack: StackOutputs
) -> None:
    """Issue 10, item 8: export and account deletion are throttled on their own."""
    gateway = aws("apigatewayv2")
    routes = {r["RouteKey"]: r for r in gateway.get_routes(ApiId=stack.api_id)["Items"]}
    # DELETE /me is a route of its own (still behind the authorizer) so it can be throttled.
    assert routes["DELETE /me"]["AuthorizationType"] == "JWT"
    stage = gateway.get_stage(ApiId=stack.api_id, StageName="$default")
    default = stage["DefaultRouteSettings"]
    for route in ("GET /export.csv", "DELETE /me"):
        settings = stage["RouteSettings"][route]
        assert settings["ThrottlingRateLimit"] * 100 <= default["ThrottlingRateLimit"], route
        assert settings["ThrottlingBurstLimit"] * 10 <= default["ThrottlingBurstLimit"], route


def test_every_routed_function_times_out_before_the_http_api_gives_up(
    aws: Any, stack: StackOutputs
) -> None:
    """Issue 10, item 13: past 30 s the client gets a 503 while the function goes on."""
    gateway = aws("apigatewayv2")
    integrations = gateway.get_integrations(ApiId=stack.api_id)["Items"]
    routed = {i["IntegrationUri"].split(":function:")[1].split("/")[0] for i in integrations}
    scheduled = {"reminders", "alerts"}  # invoked by EventBridge Scheduler only
    assert routed == {name for key, name in stack.function_names.items() if key not in scheduled}
    lam = aws("lambda")
    for name in routed:
        timeout = lam.get_function_configuration(FunctionName=name)["Timeout"]
        assert timeout < HTTP_API_INTEGRATION_LIMIT_S, name
