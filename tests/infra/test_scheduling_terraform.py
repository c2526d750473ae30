"""What modules/scheduling and the local environment applied for reminders."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import boto3
import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs


def client(name: str, emulator: Emulator, stack: StackOutputs) -> Any:
    session: Any = boto3.session.Session(region_name=stack.region)
    return session.client(name, endpoint_url=emulator.endpoint)


def policy(iam: Any, role: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(unquote(document))
        statements += document["Statement"]
    return statements


def test_the_schedulers_role_may_invoke_only_the_reminders_and_alerts_functions(
    emulator: Emulator, stack: StackOutputs
) -> None:
    iam = client("iam", emulator, stack)
    role = stack.scheduler_role_arn.rsplit("/", 1)[-1]
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(unquote(trust))
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    statements = policy(iam, role)
    invoke = [s for s in statements if "lambda:InvokeFunction" in str(s["Action"])]
    assert len(invoke) == 1
    lam = client("lambda", emulator, stack)
    arns = [
        lam.get_function(FunctionName=stack.function_names[name])["Configuration"]["FunctionArn"]
        for name in ("reminders", "alerts")
    ]
    assert arns[0] == stack.reminders_function_arn
    assert sorted(invoke[0]["Resource"]) == sorted([*arns, *(f"{arn}:*" for arn in arns)])
    dead_letters = [s for s in statements if s["Action"] == "sqs:SendMessage"]
    assert [s["Resource"] for s in dead_letters] == [stack.reminders_dlq_arn]
    assert {str(s["Action"]) for s in statements} == {"lambda:InvokeFunction", "sqs:SendMessage"}


def test_the_group_and_the_dead_letter_queue_exist(emulator: Emulator, stack: StackOutputs) -> None:
    scheduler = client("scheduler", emulator, stack)
    group = scheduler.get_schedule_group(Name=stack.reminders_schedule_group)
    assert group["State"] == "ACTIVE"
    sqs = client("sqs", emulator, stack)
    name = stack.reminders_dlq_arn.rsplit(":", 1)[-1]
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == stack.reminders_dlq_arn


@pytest.mark.parametrize("function", ["api", "reminders"])
def test_a_scheduling_function_manages_schedules_in_the_group_and_passes_only_the_schedulers_role(
    emulator: Emulator, stack: StackOutputs, function: str
) -> None:
    """The api schedules reminders; the reminders function reschedules past quiet hours and
    continues an account deletion that did not finish in one request."""
    iam = client("iam", emulator, stack)
    name = stack.api_function_name if function == "api" else stack.reminders_function_name
    statements = policy(iam, name)
    schedules = [s for s in statements if "scheduler:CreateSchedule" in s["Action"]]
    assert len(schedules) == 1
    assert set(schedules[0]["Action"]) == {
        "scheduler:CreateSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:GetSchedule",
    }
    assert schedules[0]["Resource"].endswith(f":schedule/{stack.reminders_schedule_group}/*")
    [pass_role] = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role["Resource"] == stack.scheduler_role_arn


def test_the_reminders_function_gets_the_push_url_and_the_schedule_settings(
    emulator: Emulator, stack: StackOutputs, stack_environment: dict[str, str]
) -> None:
    lam = client("lambda", emulator, stack)
    config = lam.get_function_configuration(FunctionName=stack.reminders_function_name)
    assert config["Handler"] == "app.entrypoints.reminders.handler"
    variables = config["Environment"]["Variables"]
    assert variables["EXPO_PUSH_URL"] == stack_environment["EXPO_PUSH_URL"]
    assert variables["TABLE_NAME"] == stack.table_name
    assert variables["REMINDERS_SCHEDULE_GROUP"] == stack.reminders_schedule_group
    assert variables["SCHEDULER_ROLE_ARN"] == stack.scheduler_role_arn


def test_a_rate_schedule_invokes_the_alerts_functions_silence_check(
    emulator: Emulator, stack: StackOutputs
) -> None:
    """Issue 12: silence brings no request; a recurring schedule looks for it."""
    assert stack.silence_check_schedule_name is not None
    scheduler = client("scheduler", emulator, stack)
    found = scheduler.get_schedule(Name=stack.silence_check_schedule_name, GroupName="default")
    # Off in the suite (tests/conftest.py); tests/e2e/test_silence_schedule.py turns it on.
    assert found["State"] == "DISABLED"
    assert found["ScheduleExpression"] == "rate(1 minute)"  # the local environment's
    lam = client("lambda", emulator, stack)
    alerts = lam.get_function_configuration(FunctionName=stack.function_names["alerts"])
    assert alerts["Handler"] == "app.entrypoints.alerts.handler"
    assert found["Target"]["Arn"] == alerts["FunctionArn"]
    assert found["Target"]["RoleArn"] == stack.scheduler_role_arn
    assert found["Target"]["DeadLetterConfig"]["Arn"] == stack.reminders_dlq_arn


WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
}


def _table_statements(statements: list[dict[str, Any]], table_arn: str) -> list[dict[str, Any]]:
    return [s for s in statements if s["Resource"] == table_arn]


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


# What each role may write, by partition key: ingest only the token item that carries
# a reading; the alerts function the reading's bucket and alert state, the alert events
# (new USER# items, inside its transaction only) and a token's closed mark.
ROLE_WRITES = {
    "ingest": {"INGEST#*": {"dynamodb:PutItem"}},
    "alerts": {
        "READINGS#*": {"dynamodb:PutItem", "dynamodb:UpdateItem"},
        "USER#*": {"dynamodb:PutItem"},
        "INGEST#*": {"dynamodb:UpdateItem"},
    },
}
# Writes allowed outside a transaction (one item each); every other write is only
# allowed inside TransactWriteItems.
SINGLE_WRITES = {"INGEST#*"}


@pytest.mark.parametrize("function", ["ingest", "alerts"])
def test_the_ingest_and_alerts_roles_write_readings_only(
    emulator: Emulator, stack: StackOutputs, function: str
) -> None:
    """Issue 12: "its function's role can write readings only". Every table statement is
    limited by partition key (dynamodb:LeadingKeys); ingest writes the token item that
    carries a reading, the alerts function files it (READINGS#) with the alert events it
    logs (USER#, inside its transaction only); nothing may be deleted. The emulator does
    not enforce IAM: this is the applied document; AWS evaluates each transaction item
    against it."""
    iam = client("iam", emulator, stack)
    dynamodb = client("dynamodb", emulator, stack)
    table_arn = dynamodb.describe_table(TableName=stack.table_name)["Table"]["TableArn"]
    statements = policy(iam, stack.function_names[function])
    on_table = _table_statements(statements, table_arn)
    assert on_table
    writes: dict[str, set[str]] = {}
    for statement in on_table:
        condition = statement["Condition"]
        leading = _as_list(condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
        assert leading, statement
        assert all(key.endswith("#*") for key in leading), statement
        actions = set(_as_list(statement["Action"]))
        assert "dynamodb:DeleteItem" not in actions
        assert "dynamodb:BatchWriteItem" not in actions
        for action in actions & WRITES:
            for key in leading:
                writes.setdefault(key, set()).add(action)
            if not set(leading) <= SINGLE_WRITES:
                enclosing = condition["ForAnyValue:StringEquals"]["dynamodb:EnclosingOperation"]
                assert _as_list(enclosing) == ["TransactWriteItems"], statement
    assert writes == ROLE_WRITES[function]
    # No other statement reaches the table's items: indexes (Query) and the alerts
    # function's stream (reads, tests/infra/test_readings_feed_terraform.py) are their
    # own resources.
    others = [
        s for s in statements if s not in on_table and str(s["Resource"]).startswith(table_arn)
    ]
    indexes = [s for s in others if str(s["Resource"]).startswith(f"{table_arn}/index/")]
    streams = [s for s in others if str(s["Resource"]).startswith(f"{table_arn}/stream/")]
    assert len(indexes) + len(streams) == len(others)
    assert all(set(_as_list(s["Action"])) <= {"dynamodb:Query"} for s in indexes)
    stream_reads = {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    assert all(set(_as_list(s["Action"])) <= stream_reads for s in streams)
