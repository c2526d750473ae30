"""checkov, the Terraform policy scanner, in a virtual environment of its own.

checkov pins dozens of libraries, so it never enters the app's environment; it gets
``build/tools/checkov``, rebuilt only when the pin changes. ``python -m app.dev.checkov``
scans ``terraform/`` and exits non-zero on any failed check (``make checkov``).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.dev.paths import BUILD_DIR, REPO_ROOT

PIN = "checkov==3.3.30"
VENV_DIR = BUILD_DIR / "tools" / "checkov"
_STAMP = VENV_DIR / "kefir-pin.txt"


class CheckovError(RuntimeError):
    """checkov could not be installed or did not produce a report."""


@dataclass(frozen=True)
class Report:
    passed: int
    failed: int
    skipped: int
    failures: list[str]
    skips_without_reason: list[str]


def ensure_checkov() -> Path:
    """Install the pinned checkov once (a file lock guards parallel sessions); return it."""
    VENV_DIR.parent.mkdir(parents=True, exist_ok=True)
    binary = VENV_DIR / "bin" / "checkov"
    with (VENV_DIR.parent / "checkov.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists() and _read(_STAMP) == PIN:
            return binary
        shutil.rmtree(VENV_DIR, ignore_errors=True)
        uv = shutil.which("uv")
        if uv:
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(VENV_DIR)])
            python = str(VENV_DIR / "bin" / "python")
            _run([uv, "pip", "install", "--quiet", "--python", python, PIN])
        else:
            _run([sys.executable, "-m", "venv", str(VENV_DIR)])
            _run([str(VENV_DIR / "bin" / "python"), "-m", "pip", "install", "-q", PIN])
        _STAMP.write_text(PIN, encoding="utf-8")
    return binary


def scan(directory: Path = REPO_ROOT / "terraform") -> Report:
    """Run every Terraform check over ``directory`` (modules through their callers)."""
    result = subprocess.run(
        [
            str(ensure_checkov()), "--directory", str(directory), "--framework", "terraform",
            "--output", "json", "--quiet", "--download-external-modules", "false",
        ],
        capture_output=True, text=True, check=False, cwd=REPO_ROOT,
    )  # fmt: skip
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise CheckovError(f"checkov printed no report:\n{result.stderr[-3000:]}") from None
    reports = data if isinstance(data, list) else [data]
    passed = failed = skipped = 0
    failures: list[str] = []
    unexplained: list[str] = []
    for report in reports:
        summary = report.get("summary", {})
        passed += int(summary.get("passed", 0))
        failed += int(summary.get("failed", 0))
        skipped += int(summary.get("skipped", 0))
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            failures.append(f"{check['check_id']} {check['resource']} ({check['file_path']})")
        for check in results.get("skipped_checks", []):
            reason = (check.get("check_result") or {}).get("suppress_comment", "")
            if not reason or reason == "No comment provided":
                unexplained.append(f"{check['check_id']} {check['resource']}")
    return Report(passed, failed, skipped, failures, unexplained)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CheckovError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main() -> None:
    report = scan()
    print(f"checkov: {report.passed} passed, {report.failed} failed, {report.skipped} skipped")
    for line in report.failures:
        print(f"  FAILED {line}")
    for line in report.skips_without_reason:
        print(f"  SKIPPED WITHOUT A REASON {line}")
    sys.exit(1 if report.failures or report.skips_without_reason else 0)


if __name__ == "__main__":
    main()
