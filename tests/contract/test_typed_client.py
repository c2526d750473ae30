"""The apps' typed client compiles against the document the app serves.

TypeScript types are generated from `create_app()`'s OpenAPI document with
openapi-typescript, and `contract/client.ts` (create a batch, add an event, page the
batches with a cursor, confirm a reminder, read a problem's `errors`) must pass
`tsc --noEmit`. A document that drops a field the client reads must fail it.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.dev import openapi
from app.dev.paths import REPO_ROOT

CONTRACT_DIR = REPO_ROOT / "contract"
BIN = CONTRACT_DIR / "node_modules" / ".bin"
_STAMP = CONTRACT_DIR / "node_modules" / ".kefir-lock-sha256"


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """`npm ci` from the committed lock file, skipped while the lock is unchanged."""
    if shutil.which("npm") is None:
        pytest.fail("npm is required for the typed-client check (Node.js 20 or newer)")
    lock = hashlib.sha256((CONTRACT_DIR / "package-lock.json").read_bytes()).hexdigest()
    if not _STAMP.exists() or _STAMP.read_text() != lock:
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], CONTRACT_DIR)
        _STAMP.write_text(lock)
    return BIN


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    return openapi.document()


@pytest.fixture
def check_dir() -> Iterator[Path]:
    """A folder inside contract/, so `client.ts` resolves openapi-fetch from its node_modules."""
    folder = CONTRACT_DIR / "build" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    shutil.copyfile(CONTRACT_DIR / "client.ts", folder / "client.ts")
    (folder / "tsconfig.json").write_text(
        '{"extends": "../../tsconfig.json", "files": ["client.ts"]}\n', encoding="utf-8"
    )
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and command[0] == "npm":
        pytest.fail(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def type_check(tools: Path, folder: Path, doc: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """Generate `api.d.ts` from `doc` and type-check the client against it."""
    openapi.write(folder / "openapi.json", doc)
    generated = _run([str(tools / "openapi-typescript"), "openapi.json", "-o", "api.d.ts"], folder)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return _run([str(tools / "tsc"), "--noEmit", "-p", "tsconfig.json"], folder)


def test_client_type_checks_against_the_document(
    node_tools: Path, check_dir: Path, document: dict[str, Any]
) -> None:
    result = type_check(node_tools, check_dir, document)
    assert result.returncode == 0, result.stdout + result.stderr


def _without(doc: dict[str, Any], schema: str, field: str) -> dict[str, Any]:
    broken = copy.deepcopy(doc)
    target = broken["components"]["schemas"][schema]
    del target["properties"][field]
    target["required"] = [name for name in target.get("required", []) if name != field]
    return broken


@pytest.mark.parametrize(
    ("schema", "field", "message"),
    [
        ("ReminderOut", "dueAt", "dueAt"),
        ("Problem", "errors", "errors"),
    ],
)
def test_removing_a_field_the_client_reads_fails_the_check(
    node_tools: Path,
    check_dir: Path,
    document: dict[str, Any],
    schema: str,
    field: str,
    message: str,
) -> None:
    result = type_check(node_tools, check_dir, _without(document, schema, field))
    assert result.returncode != 0
    assert f"'{message}'" in result.stdout, result.stdout
