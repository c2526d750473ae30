"""Apply ``terraform/environments/local`` against an emulator, as the one source of resources.

The emulator keeps its state in memory, so Terraform state must not outlive it: each
emulator start gets its own run directory holding the state, the provider cache
(``TF_DATA_DIR``) and ``terraform.log``. Nothing is written to the environment's folder
except the provider lock file Terraform insists on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import msgspec

from app.dev.emulator import DUMMY_CREDENTIALS
from app.dev.logtail import tail
from app.dev.paths import CURRENT_STACK_FILE, TERRAFORM_LOCAL_ENV

TERRAFORM_MISSING = (
    "terraform is not on PATH; install it: https://developer.hashicorp.com/terraform/install"
)


class StackError(RuntimeError):
    """Terraform is missing or one of its commands failed."""


class StackOutputs(msgspec.Struct, frozen=True, kw_only=True):
    """The stack's outputs (the local environment's ``stack``): what the app, the tests
    and tokens need. ``environment`` is every function's settings, the ones the app reads."""

    environment: dict[str, str]
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    cognito_issuer: str
    cognito_jwks_url: str
    api_id: str
    api_endpoint: str
    api_function_name: str
    function_names: dict[str, str]
    region: str
    reminders_function_name: str
    reminders_function_arn: str
    reminders_schedule_group: str
    scheduler_role_arn: str
    reminders_dlq_arn: str
    photos_bucket: str
    alarm_topic_arn: str
    silence_check_schedule_name: str | None = None
    table_stream_arn: str | None = None
    readings_feed_mapping_uuid: str | None = None


class CurrentStack(msgspec.Struct, frozen=True, kw_only=True):
    """What ``make run`` leaves in ``.emulator/current.json`` for ``make token`` and friends."""

    endpoint: str
    outputs: StackOutputs


def apply_local(
    endpoint: str,
    run_dir: Path,
    zip_path: Path,
    extra_environment: Mapping[str, str] | None = None,
) -> StackOutputs:
    """Create or update the local stack in the emulator at ``endpoint`` and return its outputs."""
    terraform = _Terraform(run_dir)
    terraform.init()
    terraform.run(
        "apply", "-auto-approve", *_variables(endpoint, run_dir, zip_path, extra_environment)
    )
    return terraform.outputs()


def destroy_local(
    endpoint: str,
    run_dir: Path,
    zip_path: Path,
    extra_environment: Mapping[str, str] | None = None,
) -> None:
    """Destroy what ``apply_local`` created with the same run directory.

    Rarely needed (stopping the emulator forgets everything), but it proves the
    environment can be torn down, which real AWS will ask of it.
    """
    terraform = _Terraform(run_dir)
    terraform.init()
    terraform.run(
        "destroy", "-auto-approve", *_variables(endpoint, run_dir, zip_path, extra_environment)
    )


def plan_shows_changes(
    endpoint: str,
    run_dir: Path,
    zip_path: Path,
    extra_environment: Mapping[str, str] | None = None,
) -> bool:
    """Whether a plan against what ``apply_local`` built would change anything.

    A clean second plan proves the emulator stores what Terraform asked for; where it
    does not, the quirk is named in the module's README and ignored there, narrowly.
    """
    terraform = _Terraform(run_dir)
    terraform.init()
    code = terraform.run(
        "plan",
        "-detailed-exitcode",
        "-input=false",
        *_variables(endpoint, run_dir, zip_path, extra_environment),
        ok_codes=(0, 2),
    )
    return code == 2


def write_current(endpoint: str, outputs: StackOutputs, path: Path = CURRENT_STACK_FILE) -> None:
    """Record the running stack so other commands can find it without Terraform."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current = CurrentStack(endpoint=endpoint, outputs=outputs)
    path.write_bytes(msgspec.json.format(msgspec.json.encode(current)) + b"\n")


def read_current(path: Path = CURRENT_STACK_FILE) -> CurrentStack:
    """The stack ``make run`` started; a clear error when none is recorded."""
    try:
        return msgspec.json.decode(path.read_bytes(), type=CurrentStack)
    except FileNotFoundError:
        raise StackError(
            f"no running stack recorded in {path}; start one with `make run`"
        ) from None


def _variables(
    endpoint: str, run_dir: Path, zip_path: Path, extra_environment: Mapping[str, str] | None
) -> list[str]:
    args = [
        "-var", f"aws_endpoint={endpoint}",
        "-var", f"lambda_zip_path={zip_path.resolve()}",
    ]  # fmt: skip
    if extra_environment:
        # A JSON var file, not -var: values reach Terraform verbatim, with no HCL quoting.
        var_file = run_dir / "extra.tfvars.json"
        var_file.write_text(json.dumps({"extra_environment": dict(extra_environment)}))
        args.append(f"-var-file={var_file}")
    return args


def require_terraform() -> str:
    """Return terraform's path, or fail with the one line that says how to get it.

    Callers check this before starting anything, so a missing tool costs nothing.
    """
    binary = shutil.which("terraform")
    if binary is None:
        raise StackError(TERRAFORM_MISSING)
    return binary


class _Terraform:
    """Terraform pointed at the local environment, with state and logs kept in ``run_dir``."""

    def __init__(self, run_dir: Path) -> None:
        binary = require_terraform()
        if not TERRAFORM_LOCAL_ENV.is_dir():
            raise StackError(f"no Terraform environment at {TERRAFORM_LOCAL_ENV}")
        self.binary = binary
        self.run_dir = run_dir.resolve()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.run_dir / "terraform.log"
        self.env = _environment(self.run_dir)

    def init(self) -> None:
        args = [
            "-input=false",
            "-reconfigure",
            f"-backend-config=path={self.run_dir / 'terraform.tfstate'}",
        ]
        plugin_dir = os.environ.get("TF_PLUGIN_DIR")
        if plugin_dir:
            args.append(f"-plugin-dir={plugin_dir}")
        self.run("init", *args)

    def run(self, command: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> int:
        """Run one command with its output streamed to the log; fail with the log's tail."""
        full = [self.binary, f"-chdir={TERRAFORM_LOCAL_ENV}", command, *args]
        if command in {"apply", "destroy"}:
            full.insert(3, "-input=false")
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(f"\n$ terraform {command} {' '.join(args)}\n")
            log.flush()
            started = time.monotonic()
            code = subprocess.run(
                full, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, check=False,
            ).returncode  # fmt: skip
            log.write(
                f"# terraform {command}: exit {code} after {time.monotonic() - started:.1f} s\n"
            )
        if code not in ok_codes:
            raise StackError(
                f"terraform {command} failed (exit {code}); end of {self.log_path}:\n"
                f"{tail(self.log_path)}"
            )
        return code

    def outputs(self) -> StackOutputs:
        result = subprocess.run(
            [self.binary, f"-chdir={TERRAFORM_LOCAL_ENV}", "output", "-json"],
            env=self.env, stdin=subprocess.DEVNULL, capture_output=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise StackError(f"terraform output failed:\n{result.stderr.decode(errors='replace')}")
        raw = msgspec.json.decode(result.stdout, type=dict[str, _Output])
        try:
            return msgspec.convert(raw["stack"].value, StackOutputs)
        except KeyError:
            raise StackError("the local environment has no `stack` output") from None
        except msgspec.ValidationError as error:
            raise StackError(f"the local environment's outputs don't fit: {error}") from None


class _Output(msgspec.Struct):
    value: object


def _environment(run_dir: Path) -> dict[str, str]:
    """Terraform's environment, with dummy credentials only.

    Whatever AWS credentials the developer has are dropped, so a service the
    environment forgot to point at the emulator fails instead of touching a real account.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        TF_DATA_DIR=str(run_dir / ".terraform"),
        TF_IN_AUTOMATION="1",
        **DUMMY_CREDENTIALS,
    )
    return env
