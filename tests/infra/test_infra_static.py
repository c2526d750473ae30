"""Static checks of what deploys the app: checkov over Terraform, the Dockerfile, the workflows."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.dev.checkov import scan
from app.dev.emulator import DUMMY_CREDENTIALS, ensure_venv
from tests.infra.bytecode import modules_without_bytecode

REPO = Path(__file__).resolve().parents[2]
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
    for step in ("terraform plan -var-file=", "terraform apply tfplan", "docker push"):
        assert step in per_env


def test_the_deploy_runs_the_ci_suite_first_and_deploys_only_after_it() -> None:
    deploy = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    jobs = deploy.split("\njobs:\n", 1)[1]
    test_job = re.search(r"^  test:\n(.*?)(?=^  \S)", jobs, re.MULTILINE | re.DOTALL)
    assert test_job, "a job named test"
    # The same command CI runs, and nothing that could skip or soften it.
    assert re.search(r"^\s+run: bash \.ci/run$", test_job.group(1), re.MULTILINE)
    assert "continue-on-error" not in test_job.group(1)
    assert "if:" not in deploy
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith("make test")
    # Nothing deploys before it passes: dev needs it, prod needs dev.
    assert re.search(r"^  dev:\n\s+needs: \[test, image\]$", jobs, re.MULTILINE)
    assert re.search(r"^  prod:\n\s+needs: dev$", jobs, re.MULTILINE)


_IMPORT_CHECK = """
import sys
sys.path[:0] = sys.argv[1:2]
from app.main import create_app
application = create_app()
import app.entrypoints.api, app.entrypoints.public, app.entrypoints.export
import app.entrypoints.reminders
assert application.openapi_schema.to_schema()["paths"]
"""


def test_the_image_dependencies_run_the_app_without_dev_packages(tmp_path: Path) -> None:
    """Replays the Dockerfile's export, install and compile steps for the functions' Python.

    Docker cannot run here; this proves the image's code directory is complete for the
    API and reminders entry points, carries no dev package, and holds an unchecked-hash
    pyc for every module (Lambda's code directory is read-only: no pyc, no cache).
    """
    dockerfile = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    export = re.search(r"uv (export .*?) --output-file requirements\.txt", dockerfile)
    install = re.search(r"uv pip install (.*?) --requirement requirements\.txt", dockerfile)
    compiles = re.findall(r"/var/lang/bin/python3\.11 -m (compileall [^&\n]*)", dockerfile)
    assert export, "the Dockerfile exports its requirements with uv"
    assert install, "the Dockerfile installs them with uv"
    assert len(compiles) == 2, "the Dockerfile compiles the dependencies, then app/"
    assert "--no-deps" in install.group(1).split()
    uv = shutil.which("uv")
    assert uv, "uv is on PATH (make venv installs it)"
    python = str(ensure_venv())
    requirements = tmp_path / "requirements.txt"
    exported = subprocess.run(
        [uv, *export.group(1).split(), "--output-file", str(requirements)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    deps = tmp_path / "deps"  # /opt/deps in the deps stage
    installed = subprocess.run(
        [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(deps),
         "--python", python, "--requirement", str(requirements)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    shutil.rmtree(deps / "bin", ignore_errors=True)
    _replay(python, compiles[0], {"/opt/deps": deps})
    # The runtime stage: the dependencies, then app/ as the image has it (without app/dev,
    # .dockerignore), then the second compile.
    task_root = tmp_path / "task"
    shutil.copytree(deps, task_root)
    shutil.copytree(
        REPO / "app", task_root / "app", ignore=shutil.ignore_patterns("dev", "__pycache__")
    )
    _replay(python, compiles[1], {"${LAMBDA_TASK_ROOT}": task_root})
    files = {p.relative_to(task_root).as_posix() for p in task_root.rglob("*") if p.is_file()}
    missing = modules_without_bytecode(files, lambda name: (task_root / name).read_bytes())
    assert missing == [], f"{len(missing)} modules without valid bytecode, e.g. {missing[:5]}"
    assert "app/entrypoints/api.py" in files
    settings = {
        "TABLE_NAME": "t",
        "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
        "COGNITO_CLIENT_ID": "c",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **DUMMY_CREDENTIALS,
    }
    # -S: no site-packages (the emulator's has botocore), so the folder alone must do.
    result = subprocess.run(
        [python, "-I", "-S", "-c", _IMPORT_CHECK, str(task_root)],
        env={"PATH": os.environ.get("PATH", ""), **settings},
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    carried = {p.name.split("-")[0].lower() for p in deps.glob("*.dist-info")}
    assert not carried & {"pytest", "mypy", "ruff", "polyfactory", "faker", "boto3_stubs"}
    assert {"litestar", "mangum", "boto3", "uvicorn"} <= carried
    size = sum(f.stat().st_size for f in deps.rglob("*") if f.is_file())
    print(f"image runtime dependencies: {size / 1e6:.0f} MB installed")


def _replay(python: str, command: str, paths: dict[str, Path]) -> None:
    """Runs one of the Dockerfile's `python -m compileall …` with its paths mapped here."""
    args = shlex.split(command)
    for image_path, here in paths.items():
        args = [arg.replace(image_path, str(here)) for arg in args]
    result = subprocess.run([python, "-m", *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
