"""Static checks of what deploys the app: checkov over Terraform, the Dockerfile, the workflows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.dev.checkov import scan

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "docker" / "Dockerfile"
WORKFLOWS = REPO / ".github" / "workflows"
# The linters come with the dev group as wheels that carry their binaries.
BIN = Path(sys.executable).parent


def _lint(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    binary = BIN / tool
    if not binary.exists():
        pytest.fail(f"{tool} is missing from the dev environment; run `make venv`")
    return subprocess.run(
        [str(binary), *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_checkov_finds_no_failed_check_and_every_skip_has_a_reason() -> None:
    report = scan(REPO / "terraform")
    assert report.passed > 0
    assert report.failures == [], "\n".join(report.failures)
    assert report.skips_without_reason == [], "\n".join(report.skips_without_reason)


def test_every_checkov_skip_is_inline_with_a_reason() -> None:
    for path in (REPO / "terraform").rglob("*.tf"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                assert re.search(r"checkov:skip=CKV2?_[A-Z0-9]+_\d+:\S", line), f"{path}: {line}"


def test_the_dockerfile_is_hadolint_clean() -> None:
    result = _lint("hadolint", str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflows_are_actionlint_clean() -> None:
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert any(w.name == "deploy.yml" for w in workflows)
    result = _lint("actionlint", *(str(w) for w in workflows))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_built_from_the_lock_without_dev_tooling() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    bases = re.findall(r"^ARG LAMBDA_PYTHON=(\S+)$", dockerfile, re.MULTILINE)
    assert bases, "the base image is one pinned ARG"
    pinned = r"public\.ecr\.aws/lambda/python:3\.11\.\d{4}\.\d{2}\.\d{2}\.\d{2}"
    assert re.fullmatch(pinned, bases[0])
    assert "uv export --frozen --no-dev" in dockerfile
    assert re.search(r'^CMD \["app\.entrypoints\.api\.handler"\]$', dockerfile, re.MULTILINE)
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in ignored, "the build context starts empty"
    assert "app/dev/" in ignored


def test_the_deploy_workflow_uses_oidc_and_gates_prod() -> None:
    deploy = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    per_env = (WORKFLOWS / "deploy-environment.yml").read_text(encoding="utf-8")
    assert "id-token: write" in per_env
    assert "role-to-assume:" in per_env
    assert "aws-access-key-id" not in per_env + deploy
    assert "environment: ${{ inputs.environment }}" in per_env
    assert re.search(r"prod:\n\s+needs: dev\n", deploy)
    for step in ("terraform plan -out=tfplan", "terraform apply tfplan", "docker push"):
        assert step in per_env
