"""The prod-shaped environments plan completely, and the local one tears down to nothing.

`environments/aws` with `dev.tfvars` is planned against the session's emulator from a
copy of `terraform/`, with generated override files for the backend (local state) and
the providers (the emulator's endpoints, dummy keys): the root's own files stay as
deployed.
A second copy of the local environment, under its own name prefix and state (the
session's stack is left alone), serves compose's path without Docker (the image's
serve script on the settings Terraform hands over) and is then destroyed to nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from app.dev.emulator import DUMMY_CREDENTIALS, Emulator, free_port
from app.dev.stack import StackOutputs
from tests.helpers import TERRAFORM, terraform, wait_for_health

# Every service the dev environment touches; one left out would go to real AWS.
SERVICES = (
    "acm", "apigatewayv2", "cloudfront", "cloudwatch", "cognitoidp", "dynamodb", "ecr",
    "iam", "kms", "lambda", "logs", "route53", "s3", "scheduler", "sns", "sqs", "sts",
    "wafv2",
)  # fmt: skip


def _init(cwd: Path, data_dir: Path, state: Path) -> None:
    args = ["init", "-input=false", "-reconfigure", f"-backend-config=path={state}"]
    if plugin_dir := os.environ.get("TF_PLUGIN_DIR"):
        args.append(f"-plugin-dir={plugin_dir}")
    result = terraform(*args, cwd=cwd, data_dir=data_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def _emulator_provider(endpoint: str, alias: str | None = None) -> str:
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    alias_line = f'  alias = "{alias}"\n' if alias else ""
    return (
        f'provider "aws" {{\n{alias_line}'
        '  access_key                  = "test"\n'
        '  secret_key                  = "test"\n'
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_requesting_account_id  = true\n"
        "  s3_use_path_style           = true\n"
        f"  endpoints {{\n{endpoints}\n  }}\n}}\n"
    )


AWS_ROOT = TERRAFORM / "environments" / "aws"


def _tfvars(name: str) -> dict[str, str]:
    lines = (AWS_ROOT / f"{name}.tfvars").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")]
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def test_every_layer_and_environment_exists() -> None:
    modules = {p.parent.name for p in TERRAFORM.glob("modules/*/versions.tf")}
    assert modules >= {"data", "auth", "functions", "api", "edge", "scheduling", "monitoring"}
    environments = {p.parent.name for p in TERRAFORM.glob("environments/*/versions.tf")}
    assert environments == {"local", "aws"}
    versions = (AWS_ROOT / "versions.tf").read_text()
    assert re.search(r'backend "s3" \{[^}]*use_lockfile\s*=\s*true', versions)
    # The state key is given at init, per environment: never one written into the root.
    assert "key" not in versions.split('backend "s3"', 1)[1].split("}", 1)[0]


def test_dev_and_prod_differ_only_in_their_values() -> None:
    dev, prod = _tfvars("dev"), _tfvars("prod")
    assert dev.keys() == prod.keys()
    assert (dev["environment"], prod["environment"]) == ("dev", "prod")
    assert (dev["log_retention_days"], prod["log_retention_days"]) == ("14", "30")
    assert (dev["deletion_protection"], prod["deletion_protection"]) == ("false", "true")
    workflow = (TERRAFORM.parent / ".github" / "workflows" / "deploy-environment.yml").read_text()
    assert "key=kefir/${{ inputs.environment }}/terraform.tfstate" in workflow
    assert "-var-file=${{ inputs.environment }}.tfvars" in workflow


# The real app-link ids are variables of environments/aws (issue 11, part 6).
DEV_APPLE_APP_ID = "AB12CD34EF.app.kefir"
DEV_ANDROID_PACKAGE = "app.kefir"
DEV_FINGERPRINTS = (":".join(["1A"] * 32), ":".join(["2B"] * 32))


class DevPlan:
    """`environments/aws` with dev.tfvars, planned against the session's emulator."""

    def __init__(self, shown: dict[str, Any], stdout: str) -> None:
        self.changes: list[dict[str, Any]] = shown["resource_changes"]
        self.variables = {name: v["value"] for name, v in shown["variables"].items()}
        self.configuration: dict[str, Any] = shown["configuration"]
        self.stdout = stdout

    def created(self, kind: str) -> dict[str, dict[str, Any]]:
        """Planned values of every resource of one type, by address."""
        return {
            c["address"]: c["change"]["after"]
            for c in self.changes
            if c["type"] == kind and c["change"]["actions"] == ["create"]
        }

    def one(self, kind: str) -> dict[str, Any]:
        [values] = self.created(kind).values()
        return values


@pytest.fixture(scope="module")
def dev_plan(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> DevPlan:
    tmp_path = tmp_path_factory.mktemp("dev-plan")
    copy = tmp_path / "terraform"
    shutil.copytree(
        TERRAFORM, copy,
        ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"),
    )  # fmt: skip
    dev = copy / "environments" / "aws"
    (dev / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    (dev / "providers_override.tf").write_text(
        _emulator_provider(emulator.endpoint)
        + "\n"
        + _emulator_provider(emulator.endpoint, "us_east_1")
    )
    (dev / "plan.auto.tfvars.json").write_text(
        json.dumps({
            "region": "us-east-1",
            "image_tag": "0123456789abcdef",
            "domain_name": "dev.kefir.example",
            "acm_certificate_arn": "arn:aws:acm:us-east-1:000000000000:certificate/0000",
            "api_certificate_arn": "arn:aws:acm:us-east-1:000000000000:certificate/0001",
            "route53_zone_id": "Z0000000000000000000",
            "cors_allow_origins": ["https://app.kefir.example"],
            "apple_app_id": DEV_APPLE_APP_ID,
            "android_package": DEV_ANDROID_PACKAGE,
            "android_cert_fingerprints": list(DEV_FINGERPRINTS),
        })
    )  # fmt: skip
    data_dir = tmp_path / ".terraform"
    _init(dev, data_dir, tmp_path / "dev.tfstate")
    plan = terraform(
        "plan", "-input=false", "-var-file=dev.tfvars", "-out", str(tmp_path / "dev.tfplan"),
        cwd=dev, data_dir=data_dir,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stdout[-4000:] + plan.stderr[-4000:]
    shown = terraform("show", "-json", str(tmp_path / "dev.tfplan"), cwd=dev, data_dir=data_dir)
    return DevPlan(json.loads(shown.stdout), plan.stdout)


def test_the_dev_environment_plans_against_the_emulator(
    emulator: Emulator, stack: StackOutputs, dev_plan: DevPlan
) -> None:
    changes = dev_plan.changes
    planned = {c["type"] for c in changes if c["change"]["actions"] == ["create"]}
    # The prod shape: image functions from ECR, the edge with its WAF, alarms, schedules.
    assert planned >= {
        "aws_ecr_repository", "aws_lambda_function", "aws_apigatewayv2_route",
        "aws_cloudfront_distribution", "aws_wafv2_web_acl", "aws_route53_record",
        "aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_scheduler_schedule_group",
        "aws_sqs_queue", "aws_dynamodb_table", "aws_s3_bucket", "aws_cognito_user_pool",
    }  # fmt: skip
    functions = [c for c in changes if c["type"] == "aws_lambda_function"]
    assert {f["change"]["after"]["package_type"] for f in functions} == {"Image"}
    assert {tuple(f["change"]["after"]["architectures"]) for f in functions} == {("arm64",)}
    commands = {f["index"]: f["change"]["after"]["image_config"][0]["command"] for f in functions}
    # Each function imports only its own routes' code: one entry point per function.
    for name in ("api", "public", "export", "reminders"):
        assert commands[name] == [f"app.entrypoints.{name}.handler"]
    # The same routes, guarded the same way, as the local environment the suite applied.
    planned_routes = {
        (c["change"]["after"]["route_key"], c["change"]["after"]["authorization_type"])
        for c in changes
        if c["type"] == "aws_apigatewayv2_route"
    }
    gateway = boto3.client("apigatewayv2", endpoint_url=emulator.endpoint, region_name=stack.region)
    local_routes = {
        (r["RouteKey"], r["AuthorizationType"])
        for r in gateway.get_routes(ApiId=stack.api_id)["Items"]
    }
    assert planned_routes == local_routes
    count = re.search(r"Plan: (\d+) to add, 0 to change, 0 to destroy", dev_plan.stdout)
    assert count, dev_plan.stdout[-2000:]
    print(f"dev plan: {count.group(1)} to add")


def test_dev_takes_the_app_link_ids_as_variables(dev_plan: DevPlan) -> None:
    """dev and prod take the real iOS and Android ids as Terraform variables and hand
    them to the stack (whose functions' environment is unknown until apply: the applied
    second stack below shows the ids reach the app)."""
    assert dev_plan.variables["apple_app_id"] == DEV_APPLE_APP_ID
    assert dev_plan.variables["android_package"] == DEV_ANDROID_PACKAGE
    assert dev_plan.variables["android_cert_fingerprints"] == list(DEV_FINGERPRINTS)
    call = dev_plan.configuration["root_module"]["module_calls"]["stack"]
    references = set(call["expressions"]["app_links"]["references"])
    assert {"var.apple_app_id", "var.android_package", "var.android_cert_fingerprints"} <= (
        references
    )


def test_the_dev_edge_is_the_only_way_in(dev_plan: DevPlan) -> None:
    """Issue 10, item 8: the execute-api URL would bypass the WAF."""
    assert dev_plan.one("aws_apigatewayv2_api")["disable_execute_api_endpoint"] is True
    domain = dev_plan.one("aws_apigatewayv2_domain_name")
    assert domain["domain_name"] == "dev.kefir.example"
    [configuration] = domain["domain_name_configuration"]
    assert configuration["endpoint_type"] == "REGIONAL"
    assert configuration["certificate_arn"].endswith("certificate/0001")
    assert dev_plan.created("aws_apigatewayv2_api_mapping")
    # CloudFront forwards the viewer's Host (the managed AllViewer policy), which the
    # regional custom domain of the same name answers to.
    distribution = dev_plan.one("aws_cloudfront_distribution")
    behaviours = [*distribution["default_cache_behavior"], *distribution["ordered_cache_behavior"]]
    assert {b["origin_request_policy_id"] for b in behaviours} == {
        "216adef6-5c7f-47e4-b989-5492eafa07d3"
    }


def _rate_rules(web_acl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        rule["name"]: rule["statement"][0]["rate_based_statement"][0]
        for rule in web_acl["rule"]
        if rule["statement"][0]["rate_based_statement"]
    }


def test_the_dev_limits_leave_no_user_the_whole_capacity(dev_plan: DevPlan) -> None:
    """Issue 10, item 8: per user well below the stage, per IP on every path, the
    expensive routes tighter still, and reserved concurrency for reminders."""
    stage = dev_plan.one("aws_apigatewayv2_stage")
    [default] = stage["default_route_settings"]
    rules = _rate_rules(dev_plan.one("aws_wafv2_web_acl"))

    per_user = rules["per-user-rate"]
    per_user_rps = per_user["limit"] / per_user["evaluation_window_sec"]
    assert per_user_rps * 10 <= default["throttling_rate_limit"]
    assert per_user["custom_key"][0]["header"][0]["name"] == "authorization"

    per_ip = rules["per-ip-rate"]
    assert per_ip["aggregate_key_type"] == "IP"
    assert per_ip["scope_down_statement"] == []  # every path
    assert per_ip["limit"] / per_ip["evaluation_window_sec"] < default["throttling_rate_limit"]

    expensive = rules["expensive-per-user-rate"]
    assert expensive["limit"] < per_user["limit"]
    scoped = expensive["scope_down_statement"][0]["or_statement"][0]["statement"]
    matched = set()
    for statement in scoped:
        parts = statement["and_statement"][0]["statement"]
        values = {p["byte_match_statement"][0]["search_string"] for p in parts}
        matched.add(tuple(sorted(values)))
    assert matched == {("/export.csv", "GET"), ("/me", "DELETE")}

    throttled = {s["route_key"]: s for s in stage["route_settings"]}
    # ANY: the same path by another method reaches the function (its 405 with `Allow`),
    # so it is throttled as tightly as the route it shadows.
    expensive_routes = {"GET /export.csv", "ANY /export.csv", "DELETE /me"}
    # Sensors, no Cognito token.
    device_routes = {"POST /ingest/{token}", "POST /ingest", "ANY /ingest/{token}", "ANY /ingest"}
    assert throttled.keys() == expensive_routes | device_routes
    for key in expensive_routes:
        assert throttled[key]["throttling_rate_limit"] * 100 <= default["throttling_rate_limit"]
    for key in device_routes:
        assert throttled[key]["throttling_rate_limit"] * 5 <= default["throttling_rate_limit"]

    functions = dev_plan.created("aws_lambda_function")
    reserved = {
        values["function_name"]: values["reserved_concurrent_executions"]
        for values in functions.values()
    }
    assert reserved.pop("kefir-dev-reminders") == 10
    assert set(reserved.values()) == {-1}


def test_the_dev_alarms_can_publish_and_cover_lost_reminders(dev_plan: DevPlan) -> None:
    """Issue 10, items 1 and 6, as planned for AWS."""
    key = dev_plan.one("aws_kms_key")
    assert key["enable_key_rotation"] is True
    policy = json.loads(key["policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert {"Service": "cloudwatch.amazonaws.com"} in principals
    # The topic's key is that key's ARN, known only after apply (never alias/aws/sns).
    [topic] = [c for c in dev_plan.changes if c["type"] == "aws_sns_topic"]
    assert topic["change"]["after_unknown"]["kms_master_key_id"] is True

    invoke = dev_plan.one("aws_lambda_function_event_invoke_config")
    assert invoke["function_name"] == "kefir-dev-reminders"
    assert invoke["maximum_retry_attempts"] == 2
    alarms = dev_plan.created("aws_cloudwatch_metric_alarm")
    failed = [a for a in alarms.values() if a["alarm_name"] == "kefir-dev-reminders-failed-depth"]
    assert [a["dimensions"] for a in failed] == [{"QueueName": "kefir-dev-reminders-failed"}]
    assert failed[0]["threshold"] == 0


def test_the_dev_readings_feed_is_on_filtered_and_alarmed(dev_plan: DevPlan) -> None:
    """Issue 12: in AWS every ingested reading (a write of the sensor's token item)
    reaches the alerts function from the table's stream; the suite applies it off."""
    table = dev_plan.one("aws_dynamodb_table")
    assert (table["stream_enabled"], table["stream_view_type"]) == (True, "NEW_IMAGE")
    mapping = dev_plan.one("aws_lambda_event_source_mapping")
    assert mapping["enabled"] is True
    assert mapping["starting_position"] == "LATEST"
    assert not mapping["function_response_types"]
    assert mapping["bisect_batch_on_function_error"] is True
    [criteria] = mapping["filter_criteria"]
    assert [json.loads(f["pattern"]) for f in criteria["filter"]] == [
        {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"Keys": {"SK": {"S": ["TOKEN"]}}}}
    ]
    alarms = {a["alarm_name"]: a for a in dev_plan.created("aws_cloudwatch_metric_alarm").values()}
    behind = alarms["kefir-dev-alerts-iterator-age"]
    assert (behind["namespace"], behind["metric_name"]) == ("AWS/Lambda", "IteratorAge")
    assert behind["dimensions"] == {"FunctionName": "kefir-dev-alerts"}
    given_up = alarms["kefir-dev-alerts-failed-depth"]
    assert given_up["dimensions"] == {"QueueName": "kefir-dev-alerts-failed"}
    assert given_up["threshold"] == 0


def test_every_routed_dev_function_times_out_before_the_http_api_gives_up(
    dev_plan: DevPlan,
) -> None:
    """Issue 10, item 13."""
    functions = {
        v["function_name"]: v["timeout"] for v in dev_plan.created("aws_lambda_function").values()
    }
    routed = {"kefir-dev-api", "kefir-dev-public", "kefir-dev-export"}
    assert routed < functions.keys()
    assert all(functions[name] <= 29 for name in routed), functions


def _leftovers(endpoint: str, prefix: str, region: str) -> dict[str, list[str]]:
    """Everything in the emulator whose name carries the prefix, by service."""

    def client(name: str) -> Any:
        return boto3.client(name, endpoint_url=endpoint, region_name=region)  # type: ignore[call-overload]

    pools = client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    groups = client("scheduler").list_schedule_groups()["ScheduleGroups"]
    found: dict[str, list[str]] = {
        "lambda": [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
        "dynamodb": client("dynamodb").list_tables()["TableNames"],
        "s3": [b["Name"] for b in client("s3").list_buckets().get("Buckets", [])],
        "cognito": [p["Name"] for p in pools],
        "apigatewayv2": [a["Name"] for a in client("apigatewayv2").get_apis()["Items"]],
        "iam": [r["RoleName"] for r in client("iam").list_roles()["Roles"]],
        "logs": [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]],
        "scheduler": [g["Name"] for g in groups],
        "sqs": client("sqs").list_queues().get("QueueUrls", []),
        "event source mappings": [
            m["FunctionArn"]
            for m in client("lambda").list_event_source_mappings()["EventSourceMappings"]
        ],
    }  # fmt: skip
    return {service: [n for n in names if prefix in n] for service, names in found.items()}


class SecondStack:
    """The local environment applied again under its own prefix and state."""

    def __init__(self, emulator: Emulator, lambda_zip: Path, run_dir: Path) -> None:
        self.endpoint = emulator.endpoint
        self.prefix = f"kefir-gone-{uuid.uuid4().hex[:6]}"
        self.dir = TERRAFORM / "environments" / "local"
        self.data_dir = run_dir / ".terraform"
        self.state = run_dir / "terraform.tfstate"
        self.base_variables = [
            "-var", f"aws_endpoint={emulator.endpoint}",
            "-var", f"lambda_zip_path={lambda_zip.resolve()}",
            "-var", f"name_prefix={self.prefix}",
        ]  # fmt: skip
        self.variables = [
            *self.base_variables,
            "-var", "app_links=" + json.dumps({
                "apple_app_id": DEV_APPLE_APP_ID,
                "android_package": DEV_ANDROID_PACKAGE,
                "android_cert_fingerprints": list(DEV_FINGERPRINTS),
            }),
        ]  # fmt: skip

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return terraform(*args, cwd=self.dir, data_dir=self.data_dir)


@pytest.fixture(scope="module")
def second_stack(
    emulator: Emulator, lambda_zip: Path, tmp_path_factory: pytest.TempPathFactory
) -> SecondStack:
    stack = SecondStack(emulator, lambda_zip, tmp_path_factory.mktemp("second-stack"))
    _init(stack.dir, stack.data_dir, stack.state)
    applied = stack.run("apply", "-input=false", "-auto-approve", *stack.variables)
    assert applied.returncode == 0, applied.stdout[-4000:] + applied.stderr[-4000:]
    return stack


def test_the_serve_script_runs_the_app_on_what_terraform_applied(
    second_stack: SecondStack, tmp_path: Path
) -> None:
    """What compose's `api` service does, without Docker: the image's entry script with
    the settings file the `terraform` service writes (`terraform output -raw app_dotenv`)."""
    dotenv = second_stack.run("output", "-raw", "app_dotenv")
    assert dotenv.returncode == 0, dotenv.stderr
    assert f"TABLE_NAME={second_stack.prefix}-table" in dotenv.stdout.splitlines()
    env_file = tmp_path / "app.env"
    env_file.write_text(dotenv.stdout + "\n")
    port = free_port()
    venv_bin = Path(sys.executable).parent
    env = {
        "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}",
        "KEFIR_ENV_FILE": str(env_file),
        "LAMBDA_TASK_ROOT": str(TERRAFORM.parent),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_JSON": "false",
        **DUMMY_CREDENTIALS,
    }
    server = subprocess.Popen(
        ["sh", str(TERRAFORM.parent / "docker" / "serve.sh")], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            # stderr is read only once the script has exited: reading it sooner blocks.
            wait_for_health(
                f"http://127.0.0.1:{port}", server,
                lambda: server.stderr.read().decode()
                if server.stderr and server.poll() is not None else "",
            )  # fmt: skip
            health = http.get("/health")
            assert health.status_code == 200
            refused = http.get("/batches")
            assert refused.status_code == 401
            assert refused.headers["content-type"].startswith("application/problem+json")
            # The app-link ids given as variables reach the app (issue 11, part 6).
            apple = http.get("/.well-known/apple-app-site-association")
            assert apple.json()["applinks"]["details"][0]["appIDs"] == [DEV_APPLE_APP_ID]
            [android] = http.get("/.well-known/assetlinks.json").json()
            assert android["target"]["sha256_cert_fingerprints"] == list(DEV_FINGERPRINTS)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(
    ("app_links", "message"),
    [
        ({"apple_app_id": "app.kefir"}, "apple_app_id is <10-character Team ID>"),
        (
            {"android_package": "app.kefir", "android_cert_fingerprints": ["1a:2b"]},
            "SHA-256 fingerprint",
        ),
        ({"android_package": "app.kefir"}, "go together"),
    ],
)
def test_malformed_app_link_ids_are_refused_at_plan(
    second_stack: SecondStack, app_links: dict[str, Any], message: str
) -> None:
    """A wrong id would make iOS or Android ignore the file without a word."""
    planned = second_stack.run(
        "plan", "-input=false", "-refresh=false", "-no-color", *second_stack.base_variables,
        "-var", "app_links=" + json.dumps(app_links),
    )  # fmt: skip
    assert planned.returncode != 0
    assert message in planned.stdout + planned.stderr, planned.stderr[-2000:]


def test_destroying_the_local_environment_leaves_nothing(second_stack: SecondStack) -> None:
    region = "us-east-1"
    before = _leftovers(second_stack.endpoint, second_stack.prefix, region)
    assert before["lambda"], "the apply created functions under the prefix"

    destroyed = second_stack.run(
        "destroy", "-input=false", "-auto-approve", *second_stack.variables
    )
    assert destroyed.returncode == 0, destroyed.stdout[-4000:] + destroyed.stderr[-4000:]
    state = second_stack.run("state", "list")
    assert state.stdout.strip() == ""
    after = _leftovers(second_stack.endpoint, second_stack.prefix, region)
    assert after == {service: [] for service in after}, after


@pytest.fixture(autouse=True)
def _dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(key, value)


def test_the_dev_edge_limits_each_ingest_url_and_key_on_its_own(dev_plan: DevPlan) -> None:
    """Issue 12: the ingest routes are rate-limited at the edge per path (a sensor's URL
    holds its token), above the app's cap of 30 a sensor-minute; a flood gets 429."""
    web_acl = dev_plan.one("aws_wafv2_web_acl")
    rules = {rule["name"]: rule for rule in web_acl["rule"]}
    rates = _rate_rules(web_acl)

    per_path = rates["ingest-per-path-rate"]
    assert per_path["aggregate_key_type"] == "CUSTOM_KEYS"
    [key] = per_path["custom_key"]
    assert key["uri_path"]
    assert not key["header"]
    [scope] = per_path["scope_down_statement"][0]["byte_match_statement"]
    assert (scope["search_string"], scope["positional_constraint"]) == ("/ingest/", "STARTS_WITH")
    assert per_path["limit"] / per_path["evaluation_window_sec"] * 60 > 30

    per_key = rates["ingest-per-key-rate"]
    assert per_key["custom_key"][0]["header"][0]["name"] == "x-api-key"
    [scope] = per_key["scope_down_statement"][0]["byte_match_statement"]
    assert (scope["search_string"], scope["positional_constraint"]) == ("/ingest", "EXACTLY")

    for name in ("ingest-per-path-rate", "ingest-per-key-rate"):
        [block] = rules[name]["action"][0]["block"]
        [response] = block["custom_response"]
        assert response["response_code"] == 429
        assert [h["name"] for h in response["response_header"]] == ["Retry-After"]

    # The token never reaches a log: WAF redacts the path and the key header, and the
    # API's access log has the route template only.
    [logging] = dev_plan.created("aws_wafv2_web_acl_logging_configuration").values()
    redacted = logging["redacted_fields"]
    assert any(field["uri_path"] for field in redacted)
    assert {h["name"] for f in redacted for h in f["single_header"]} == {
        "authorization",
        "x-api-key",
    }
    [settings] = dev_plan.one("aws_apigatewayv2_stage")["access_log_settings"]
    assert "$context.path" not in settings["format"]
    assert "$context.routeKey" in settings["format"]
