"""`make bench`: prints each figure beside its baseline, as a ratio from one run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.dev.emulator import DUMMY_CREDENTIALS, Emulator
from app.dev.lambda_zip import build_zip
from app.dev.stack import apply_local
from benchmarks import cold_start, export_throughput, readings, sync_pull, warm_get


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
        zip_path = build_zip()
        outputs = apply_local(emulator.endpoint, Path(run_dir), zip_path)
        handler_ms, raw_ms = warm_get.measure(emulator.endpoint, outputs)
        _row("warm GET batch (Lambda handler)", handler_ms, "raw boto3 Query", raw_ms, 1.3)
        export_throughput.report(outputs)
        ingest = readings.measure_ingest(emulator.endpoint, outputs, zip_path)
        _row(
            "ingest a reading (handler)", ingest["handler_ms"], "raw PutItem", ingest["raw_ms"], 1.3
        )
        print(
            f"{'  its conditional PutItem, raw':<34} {ingest['token_put_ms']:9.2f} ms | "
            f"{'  ratio to the raw PutItem':<28} {ingest['token_put_ms'] / ingest['raw_ms']:9.2f}"
        )
        series = readings.measure_series(outputs)
        _row(
            "30k-point series, 500 buckets",
            series["handler_ms"],
            "raw paginated Query",
            series["raw_ms"],
            1.3,
        )
        print(
            f"{'  DynamoDB calls per series':<34} {series['handler_calls']:9.1f}    | "
            f"{'  per raw paginated Query':<28} {series['raw_calls']:9.1f}"
        )
        sync_ms, raw_sync_ms = sync_pull.measure(outputs)
        _row("sync 10,000 changes (handler)", sync_ms, "raw paginated GSI2 Query", raw_sync_ms, 1.3)


if __name__ == "__main__":
    main()
