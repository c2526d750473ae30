"""Build the zip Lambda the emulator runs, from the same code and lock file as the app.

The emulator runs functions on its own Python whatever ``runtime`` says, so the
dependencies are installed for that interpreter. Its environment has botocore but no
boto3, so the zip carries boto3 itself. Entries are sorted with fixed timestamps, so
the same inputs give the same bytes and Terraform's ``source_code_hash`` stays put.

Lambda's code directory is read-only: without bytecode in the zip, every cold start
compiles every module again and can never cache it. So every ``.py`` ships with its
``__pycache__/<name>.cpython-3XX.pyc``, compiled by that same interpreter as
*unchecked-hash* pycs (valid whatever the files' times, never compared with the
source) with paths relative to the zip's root, which keeps the bytes reproducible.

``python -m app.dev.lambda_zip`` builds it (``make zip``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from app.dev.emulator import ensure_venv
from app.dev.paths import APP_DIR, BUILD_DIR, REPO_ROOT

# Bump when the zip's layout changes, so old caches are not trusted.
_FORMAT = "2"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIPPED_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
ZIP_PATH = BUILD_DIR / "lambda.zip"


class ZipBuildError(RuntimeError):
    """uv could not export or install the Lambda's dependencies."""


def build_zip(*, python: Path | None = None, out: Path = ZIP_PATH, force: bool = False) -> Path:
    """Return a zip of the app and its runtime dependencies, rebuilding only when stale.

    ``python`` is the interpreter the functions will run on (default: the emulator's).
    The cache key covers uv.lock, every file under ``app/`` the zip carries, and that
    interpreter's version; it is kept next to the zip.
    """
    python = python or ensure_venv()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Several test sessions may build at once (they share the work tree): one at a time.
    with (out.parent / ".zip.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(python, out, force)


def _build(python: Path, out: Path, force: bool) -> Path:
    started = time.monotonic()
    version = _python_version(python)
    lock = (REPO_ROOT / "uv.lock").read_bytes()
    app_files = sorted(_app_files())
    key = _cache_key(lock, app_files, version)
    stamp = out.with_name(out.name + ".sha256")
    if not force and out.exists() and _read(stamp) == key:
        print(f"{_rel(out)} is up to date ({_mb(out.stat().st_size)})")
        return out

    deps_dir = _install_dependencies(python, version, lock, out.parent)
    app_root = _stage_app(python, app_files, out.parent)
    entries = [
        (path.relative_to(root).as_posix(), path)
        for root in (deps_dir, app_root)
        for path in _walk(root, with_bytecode=True)
    ]
    partial = out.with_name(out.name + ".partial")
    unpacked = _write_zip(partial, sorted(entries))
    partial.replace(out)
    stamp.write_text(key, encoding="utf-8")
    print(
        f"{_rel(out)}: {_mb(out.stat().st_size)} ({_mb(unpacked)} unpacked), "
        f"built in {time.monotonic() - started:.1f} s for Python {version}"
    )
    return out


def _install_dependencies(python: Path, version: str, lock: bytes, build_dir: Path) -> Path:
    """Install the locked runtime dependencies into a folder, reused while the lock holds.

    Only the app's own files change from one build to the next, so the slow part is
    cached on its own.
    """
    deps_dir = build_dir / "lambda-deps"
    stamp = build_dir / "lambda-deps.sha256"
    key = hashlib.sha256(lock + f"\0{version}\0{_FORMAT}".encode()).hexdigest()
    if deps_dir.is_dir() and _read(stamp) == key:
        return deps_dir
    shutil.rmtree(deps_dir, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    requirements = build_dir / "lambda-requirements.txt"
    # No extras and no dev group: uvicorn and the test tools stay out of the zip. As in
    # the image (docker/Dockerfile), polyfactory and faker (Litestar's OpenAPI examples,
    # unused) stay out too; --no-deps keeps the installer from bringing them back.
    _uv(
        "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
        "--no-emit-package", "polyfactory", "--no-emit-package", "faker",
        "--format", "requirements-txt", "--output-file", str(requirements),
    )  # fmt: skip
    _uv(
        "pip", "install", "--quiet", "--no-deps", "--target", str(deps_dir),
        "--python", str(python), "-r", str(requirements),
    )  # fmt: skip
    shutil.rmtree(deps_dir / "bin", ignore_errors=True)  # console scripts: useless in Lambda
    compile_bytecode(python, deps_dir)
    stamp.write_text(key, encoding="utf-8")
    return deps_dir


def _stage_app(python: Path, app_files: list[Path], build_dir: Path) -> Path:
    """Copy the app's files into a fresh folder and compile them there.

    The work tree's own ``__pycache__`` holds timestamp pycs of whatever ran last, so
    the zip's bytecode is always compiled anew from the sources it carries.
    """
    root = build_dir / "lambda-app"
    shutil.rmtree(root, ignore_errors=True)
    for path in app_files:
        target = root / path.relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    compile_bytecode(python, root)
    return root


def compile_bytecode(python: Path, root: Path) -> None:
    """Compile every module under ``root`` with ``python``, as unchecked-hash pycs.

    Paths in the bytecode are relative to ``root`` (the import system points them at
    the real file when it loads them); a fixed hash seed keeps set constants in one order.
    """
    result = subprocess.run(
        [str(python), "-m", "compileall", "-q", "-f", "-j", "0",
         "--invalidation-mode", "unchecked-hash", "-s", str(root), str(root)],
        env=os.environ | {"PYTHONHASHSEED": "0"}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ZipBuildError(f"compileall failed under {root}:\n{result.stdout}{result.stderr}")


def _uv(*args: str) -> None:
    uv = shutil.which("uv")
    if uv is None:
        raise ZipBuildError("uv is not on PATH; run `make venv` (it installs uv) first")
    result = subprocess.run([uv, *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ZipBuildError(f"uv {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def _write_zip(path: Path, entries: list[tuple[str, Path]]) -> int:
    """Write entries in the given order with fixed times and modes; return unpacked bytes."""
    unpacked = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, source in entries:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            executable = source.stat().st_mode & stat.S_IXUSR
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            data = source.read_bytes()
            unpacked += len(data)
            archive.writestr(info, data)
    return unpacked


def _app_files() -> Iterator[Path]:
    """The app's files as the Lambda needs them: no dev tooling, no caches."""
    dev_dir = APP_DIR / "dev"
    for path in _walk(APP_DIR):
        if not path.is_relative_to(dev_dir) and path.suffix != ".pyc":
            yield path


def _walk(root: Path, *, with_bytecode: bool = False) -> Iterator[Path]:
    skipped = _SKIPPED_DIRS - {"__pycache__"} if with_bytecode else _SKIPPED_DIRS
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skipped]
        for name in files:
            yield Path(folder) / name


def _cache_key(lock: bytes, app_files: list[Path], version: str) -> str:
    digest = hashlib.sha256(f"{_FORMAT}\0{version}\0".encode() + lock)
    for path in app_files:
        digest.update(b"\0" + path.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _python_version(python: Path) -> str:
    result = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def main() -> None:
    """Build (or confirm) ``build/lambda.zip``; ``--force`` ignores the cache."""
    build_zip(force="--force" in sys.argv[1:])


if __name__ == "__main__":
    main()
