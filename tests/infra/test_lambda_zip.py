"""What the zip Lambda carries: compiled bytecode beside every module, the same bytes each build."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from app.dev.emulator import ensure_venv
from app.dev.lambda_zip import build_zip
from tests.infra.bytecode import modules_without_bytecode


def test_every_module_in_the_zip_has_unchecked_hash_bytecode(lambda_zip: Path) -> None:
    with zipfile.ZipFile(lambda_zip) as archive:
        names = set(archive.namelist())
        assert {"app/entrypoints/api.py", "boto3/__init__.py"} <= names
        missing = modules_without_bytecode(names, archive.read)
    assert missing == [], f"{len(missing)} modules without valid bytecode, e.g. {missing[:5]}"


def test_the_zip_carries_no_dev_tooling_and_no_stray_bytecode(lambda_zip: Path) -> None:
    with zipfile.ZipFile(lambda_zip) as archive:
        names = archive.namelist()
    assert not [name for name in names if name.startswith("app/dev/")]
    tops = {name.split("/", 1)[0].split("-")[0].lower() for name in names}
    assert not tops & {"pytest", "mypy", "ruff", "uvicorn", "polyfactory", "faker"}
    # Every pyc belongs to a module the zip carries (none left over from a work tree).
    sources = {name for name in names if name.endswith(".py")}
    orphans = [name for name in names if name.endswith(".pyc") and _source(name) not in sources]
    assert orphans == []


def _source(pyc: str) -> str:
    path = PurePosixPath(pyc)
    return str(path.parent.parent / f"{path.name.split('.', 1)[0]}.py")


def test_the_same_inputs_build_the_same_bytes(lambda_zip: Path, tmp_path: Path) -> None:
    """A from-scratch build elsewhere (dependencies installed and compiled anew) matches."""
    again = build_zip(python=ensure_venv(), out=tmp_path / "lambda.zip", force=True)
    assert again.read_bytes() == lambda_zip.read_bytes()
