"""The readings feed as the local stack applied it: the table's stream, the event source
mapping into the alerts function, and what the alerts role may read and send.

Issue 12: ingest is one conditional PutItem of the sensor's token item per reading; the
alerts function applies it (minute bucket, alert state, alerts, push) from the stream.
The suite applies the mapping disabled (tests/conftest.py); the emulator does not
enforce IAM, so the role tests read back the applied documents.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from tests.infra.test_scheduling_terraform import client, policy

# Only a sensor's token item written: registered (INSERT) or a reading (MODIFY).
TOKEN_WRITES = {
    "eventName": ["INSERT", "MODIFY"],
    "dynamodb": {"Keys": {"SK": {"S": ["TOKEN"]}}},
}
STREAM_READS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
STREAM_ACTIONS = {*STREAM_READS, "dynamodb:ListStreams"}


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.fixture(scope="module")
def mapping(emulator: Emulator, stack: StackOutputs) -> dict[str, Any]:
    assert stack.readings_feed_mapping_uuid is not None
    lam = client("lambda", emulator, stack)
    found: dict[str, Any] = lam.get_event_source_mapping(UUID=stack.readings_feed_mapping_uuid)
    return found


def test_the_table_streams_the_new_image_of_every_write(
    emulator: Emulator, stack: StackOutputs
) -> None:
    table = client("dynamodb", emulator, stack).describe_table(TableName=stack.table_name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["LatestStreamArn"] == stack.table_stream_arn


def test_the_stream_feeds_the_alerts_function_with_token_writes_only(
    emulator: Emulator, stack: StackOutputs, mapping: dict[str, Any]
) -> None:
    lam = client("lambda", emulator, stack)
    alerts = lam.get_function_configuration(FunctionName=stack.function_names["alerts"])
    assert mapping["EventSourceArn"] == stack.table_stream_arn
    assert mapping["FunctionArn"] == alerts["FunctionArn"]
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] <= 1
    [pattern] = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert pattern == TOKEN_WRITES
    # Nothing else reads the stream.
    mappings = lam.list_event_source_mappings(EventSourceArn=stack.table_stream_arn)
    assert [m["UUID"] for m in mappings["EventSourceMappings"]] == [mapping["UUID"]]


def test_a_batch_the_alerts_function_cannot_apply_is_retried_then_kept(
    emulator: Emulator, stack: StackOutputs, mapping: dict[str, Any]
) -> None:
    """A failing batch is halved down to the failing record and retried whole (the
    consumer skips what it filed already); after the retries, or once a record is 6 h old, the
    batch's stream position goes to the alerts function's failed queue (alarmed), while
    its records can still be read from the stream (24 h)."""
    assert not mapping.get("FunctionResponseTypes")
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    assert 0 < mapping["MaximumRecordAgeInSeconds"] < 24 * 3600
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination.endswith(f":{stack.function_names['alerts']}-failed")
    sqs = client("sqs", emulator, stack)
    url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == destination
    assert attributes["SqsManagedSseEnabled"] == "true"


def test_the_suite_applies_the_feed_disabled(mapping: dict[str, Any]) -> None:
    """TF_VAR_readings_feed_enabled=false (tests/conftest.py): the api tests apply the
    stream in-process on their own clock; the end-to-end test of the feed enables it.
    The dev plan (test_terraform_environments.py) has it enabled by default."""
    assert mapping["State"] == "Disabled"


def test_the_alerts_role_reads_the_table_stream_and_sends_to_its_failed_queue_only(
    emulator: Emulator, stack: StackOutputs, mapping: dict[str, Any]
) -> None:
    iam = client("iam", emulator, stack)
    dynamodb = client("dynamodb", emulator, stack)
    table_arn = dynamodb.describe_table(TableName=stack.table_name)["Table"]["TableArn"]
    statements = policy(iam, stack.function_names["alerts"])
    on_stream = [s for s in statements if set(_as_list(s["Action"])) & STREAM_ACTIONS]
    by_resource = {s["Resource"]: set(_as_list(s["Action"])) for s in on_stream}
    # ListStreams names no single stream: it is limited to this table's streams.
    assert by_resource == {
        stack.table_stream_arn: STREAM_READS,
        f"{table_arn}/stream/*": {"dynamodb:ListStreams"},
    }
    [send] = [s for s in statements if "sqs:SendMessage" in _as_list(s["Action"])]
    assert send["Resource"] == mapping["DestinationConfig"]["OnFailure"]["Destination"]


def test_no_other_role_may_read_the_stream(emulator: Emulator, stack: StackOutputs) -> None:
    iam = client("iam", emulator, stack)
    for key, name in stack.function_names.items():
        if key == "alerts":
            continue
        actions = {a for s in policy(iam, name) for a in _as_list(s["Action"])}
        assert not actions & STREAM_ACTIONS, key
