"""Cold start as shipped: each function's handler imported from the built zip.

The zip is unpacked into a read-only folder and every figure is taken in a fresh
process of the functions' Python (the emulator's, which the zip is built for) that
sees only that folder and the standard library (``-I -S``, as a Lambda sees only its
code directory) and cannot write bytecode (``-B``): so a module shipped without its
pyc is compiled on every run, as it would be on every Lambda cold start.

The floor is what any Lambda of this shape pays, measured the same way from the same
folder: import boto3, build one DynamoDB client, and a one-route Litestar app wrapped
in Mangum. Each figure runs from before the first import to a built handler (the
reminders handler builds its clients on its first invocation: its figure is the import
alone; the ingest and alerts handlers, which also build on first use, are timed up to
their built use case, `BUILT_ON_FIRST_CALL`, a fair match for the floor's client). The
median of several interleaved runs is reported, as wall time and as the process's CPU
time. The ratios are taken on CPU time: imports are CPU-bound once the
files are in the page cache, and on a shared machine wall time mostly measures the
neighbours.

Beside it, the api function as shipped by an older commit (default: the last one
before the zip carried bytecode), built by that commit's own ``app/dev/lambda_zip.py``
and measured in the same rounds.

``python -m benchmarks.cold_start [--ref REF] [--runs N]`` runs this part alone.
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import statistics
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from app.dev.emulator import DUMMY_CREDENTIALS, ensure_venv
from app.dev.lambda_zip import build_zip
from app.dev.paths import BUILD_DIR, REPO_ROOT

# Every function Terraform deploys, by the handler it runs (a new function adds a line;
# tests/infra/test_benchmarks.py checks that none is missing). Target: ratio to the floor.
FUNCTIONS: dict[str, str] = {
    "api": "app.entrypoints.api.handler",
    "public": "app.entrypoints.public.handler",
    "export": "app.entrypoints.export.handler",
    "ingest": "app.entrypoints.ingest.handler",
    "reminders": "app.entrypoints.reminders.handler",
    "alerts": "app.entrypoints.alerts.handler",
}
# Handlers that build their use case (and its DynamoDB client) on the first invocation:
# timed up to that, as the floor builds its client.
BUILT_ON_FIRST_CALL: dict[str, str] = {
    "ingest": "app.entrypoints.ingest._ingest()",
    "alerts": "app.entrypoints.alerts._check()",
}
TARGETS: dict[str, float] = {"api": 1.15, "public": 1.0, "reminders": 0.7, "ingest": 0.7}
# The last commit whose zip carried no bytecode, and how much faster today's api must be.
OLD_REF = "1344d49"
OLD_TARGET = 0.5

_TIMED = """
import sys, time
sys.path.insert(0, sys.argv[1])
started, cpu = time.perf_counter(), time.process_time()
{body}
print(time.perf_counter() - started, time.process_time() - cpu)
"""

FLOOR = """
import boto3
from litestar import Litestar, get
from mangum import Mangum

client = boto3.client("dynamodb", region_name="us-east-1")

@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}

handler = Mangum(Litestar([health]), lifespan="off")
"""

ENVIRONMENT = {
    "TABLE_NAME": "bench",
    "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
    "COGNITO_CLIENT_ID": "bench",
    "AWS_REGION": "us-east-1",
    **DUMMY_CREDENTIALS,
}


def handler_import(handler: str) -> str:
    """The code that builds ``module.attribute`` as the Lambda runtime does."""
    module, attribute = handler.rsplit(".", 1)
    return f"import {module}\n{module}.{attribute}"


class Timing(NamedTuple):
    wall: float
    cpu: float


def time_fresh_process(python: Path, code_dir: Path, body: str) -> Timing:
    """Seconds from before the first import to the end of ``body``, in a new interpreter."""
    result = subprocess.run(
        [str(python), "-I", "-S", "-B", "-c", _TIMED.format(body=body), str(code_dir)],
        env={"PATH": os.environ.get("PATH", ""), **ENVIRONMENT},
        cwd=code_dir, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{body!r} failed in {code_dir}:\n{result.stderr[-3000:]}")
    wall, cpu = result.stdout.strip().splitlines()[-1].split()
    return Timing(float(wall), float(cpu))


@contextmanager
def unpacked(zip_path: Path) -> Iterator[Path]:
    """The zip unpacked into a temporary folder made read-only, as Lambda's /var/task is.

    Yields the folder and checks on the way out that no run wrote anything into it (a
    process running as root could, whatever the modes say).
    """
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        root = Path(tmp) / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(root)  # noqa: S202 - our own build; zipfile strips ".." anyway
        before = _listing(root)
        _set_writable(root, writable=False)
        try:
            yield root
        finally:
            _set_writable(root, writable=True)
        written = _listing(root) - before
        if written:
            raise RuntimeError(f"a run wrote into the code folder: {sorted(written)[:5]}")


def _listing(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def _set_writable(root: Path, *, writable: bool) -> None:
    write = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~write)


def build_ref_zip(ref: str, python: Path) -> Path:
    """The zip as commit ``ref`` shipped it, built by that commit's own zip builder.

    The commit's tree comes from ``git archive`` into a temporary folder (the work tree
    and its git metadata stay untouched); the result is cached under build/bench by
    commit and Python version, since the build is deterministic.
    """
    sha = _git("rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()
    version = _python_version(python)
    out = BUILD_DIR / "bench" / f"lambda-{sha[:12]}-py{version}.zip"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cold-start-ref-") as tmp:
        source = Path(tmp) / "src"
        with tarfile.open(fileobj=io.BytesIO(_git("archive", "--format=tar", sha))) as tar:
            tar.extractall(source, filter="data")
        build = (
            "import sys; from pathlib import Path; from app.dev.lambda_zip import build_zip; "
            "build_zip(python=Path(sys.argv[1]), out=Path(sys.argv[2]))"
        )
        partial = out.with_name(out.name + ".partial")
        result = subprocess.run(
            [sys.executable, "-c", build, str(python), str(partial)],
            cwd=source, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"building the zip of {ref} failed:\n{result.stderr[-3000:]}")
        partial.replace(out)
    return out


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, check=True).stdout


def _python_version(python: Path) -> str:
    result = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def measure(
    runs: int = 11, old_ref: str | None = OLD_REF
) -> tuple[Timing, dict[str, Timing], Timing | None]:
    """Median seconds of the floor, of each function and of the old commit's api handler."""
    python = ensure_venv()
    new_zip = build_zip(python=python)
    old_zip = build_ref_zip(old_ref, python) if old_ref else None
    with unpacked(new_zip) as code, _maybe_unpacked(old_zip) as old_code:
        cases: list[tuple[str, Path, str]] = [("floor", code, FLOOR)]
        cases += [
            (name, code, handler_import(h) + "\n" + BUILT_ON_FIRST_CALL.get(name, ""))
            for name, h in FUNCTIONS.items()
        ]
        if old_code is not None:
            cases.append(("old api", old_code, handler_import(FUNCTIONS["api"])))
        samples: dict[str, list[Timing]] = {name: [] for name, _, _ in cases}
        for round_ in range(runs + 1):  # interleaved, so drift on the machine hits all alike
            for name, folder, body in cases:
                timing = time_fresh_process(python, folder, body)
                if round_:  # the first round only warms the page cache
                    samples[name].append(timing)
    medians = {
        name: Timing(
            statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
        )
        for name, timings in samples.items()
    }
    floor = medians.pop("floor")
    old = medians.pop("old api", None)
    return floor, medians, old


@contextmanager
def _maybe_unpacked(zip_path: Path | None) -> Iterator[Path | None]:
    if zip_path is None:
        yield None
        return
    with unpacked(zip_path) as root:
        yield root


def report(runs: int = 11, old_ref: str | None = OLD_REF) -> None:
    floor, functions, old = measure(runs, old_ref)
    version = _python_version(ensure_venv())
    print(
        f"cold start as shipped: build/lambda.zip unpacked read-only, a fresh "
        f"`python{version} -I -S -B` per figure, median of {runs}"
    )
    print(f"{'floor (boto3 + client + 1-route Litestar)':<44} {_ms(floor)}")
    for name, timing in functions.items():
        ratio = timing.cpu / floor.cpu
        target = TARGETS.get(name)
        verdict = "" if target is None else _verdict(ratio, target)
        print(
            f"{name:<10} {FUNCTIONS[name]:<33} {_ms(timing)} | "
            f"ratio to floor {ratio:5.2f} (wall {timing.wall / floor.wall:4.2f}){verdict}"
        )
    if old is not None:
        api = functions["api"]
        ratio = api.cpu / old.cpu
        print(
            f"{'api at ' + str(old_ref) + ' (as shipped then)':<44} {_ms(old)} | "
            f"api now / then {ratio:5.2f} (wall {api.wall / old.wall:4.2f})"
            f"{_verdict(ratio, OLD_TARGET)}"
        )


def _ms(timing: Timing) -> str:
    return f"{timing.cpu * 1000:6.0f} ms cpu {timing.wall * 1000:6.0f} ms wall"


def _verdict(ratio: float, target: float) -> str:
    return f" (target <= {target}) {'ok' if ratio <= target else 'OVER TARGET'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=11, help="fresh processes per figure")
    parser.add_argument(
        "--ref", default=OLD_REF, help="the older commit to compare the api with ('' for none)"
    )
    arguments = parser.parse_args()
    report(arguments.runs, arguments.ref or None)


if __name__ == "__main__":
    main()
