"""Terraform: formatted, valid, and what it applied to the emulator plans clean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs, plan_shows_changes
from tests.helpers import TERRAFORM, terraform

ROOTS = sorted(p.parent for p in TERRAFORM.glob("*/*/versions.tf"))
# A module that takes an aliased provider (configuration_aliases) cannot be validated on
# its own (terraform asks for the provider); the environments that call it validate it.
CALLED_WITH_ALIASES = [
    r for r in ROOTS if "configuration_aliases" in (r / "versions.tf").read_text()
]


def test_terraform_is_formatted(tmp_path: Path) -> None:
    result = terraform("fmt", "-check", "-recursive", cwd=TERRAFORM, data_dir=tmp_path)
    assert result.returncode == 0, f"not formatted: {result.stdout}"


@pytest.mark.parametrize(
    "root",
    [r for r in ROOTS if r not in CALLED_WITH_ALIASES],
    ids=lambda p: str(p.relative_to(TERRAFORM)),
)
def test_terraform_validates(root: Path, tmp_path: Path) -> None:
    init = ["init", "-backend=false", "-input=false"]
    if plugin_dir := os.environ.get("TF_PLUGIN_DIR"):
        init.append(f"-plugin-dir={plugin_dir}")
    result = terraform(*init, cwd=root, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    result = terraform("validate", cwd=root, data_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_modules_with_aliased_providers_are_validated_through_every_environment() -> None:
    assert [r.name for r in CALLED_WITH_ALIASES] == ["stack"]
    for environment in (TERRAFORM / "environments").iterdir():
        assert 'source = "../../modules/stack"' in (environment / "main.tf").read_text()


def test_every_layer_has_a_module() -> None:
    assert {p.name for p in ROOTS if p.parent.name == "modules"} >= {
        "data",
        "auth",
        "functions",
        "api",
    }


def test_a_second_plan_of_the_local_environment_shows_no_changes(
    emulator: Emulator,
    stack: StackOutputs,
    stack_dir: Path,
    lambda_zip: Path,
    stack_environment: dict[str, str],
) -> None:
    assert stack.table_name
    assert not plan_shows_changes(emulator.endpoint, stack_dir, lambda_zip, stack_environment), (
        stack_dir / "terraform.log"
    ).read_text()[-4000:]
