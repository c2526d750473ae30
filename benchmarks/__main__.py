"""`make bench`: prints each figure beside its baseline, as a ratio from one run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.dev.emulator import DUMMY_CREDENTIALS, Emulator
from app.dev.lambda_zip import build_zip
from app.dev.stack import apply_local
from benchmarks import cold_start, export_throughput, warm_get


def _row(name: str, value: float, baseline_name: str, baseline: float, target: float) -> None:
    ratio = value / baseline
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(
        f"{name:<34} {value:9.2f} ms | {baseline_name:<28} {baseline:9.2f} ms | "
        f"ratio {ratio:5.2f} (target <= {target}) {verdict}"
    )


def main() -> None:
    os.environ.update(DUMMY_CREDENTIALS)
    cold_start.report()
    with Emulator() as emulator, tempfile.TemporaryDirectory() as run_dir:
        outputs = apply_local(emulator.endpoint, Path(run_dir), build_zip())
        handler_ms, raw_ms = warm_get.measure(emulator.endpoint, outputs)
        _row("warm GET batch (Lambda handler)", handler_ms, "raw boto3 Query", raw_ms, 1.3)
        export_throughput.report(outputs)


if __name__ == "__main__":
    main()
