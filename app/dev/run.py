"""``make run``: the whole local backend without Docker.

Starts the emulator (unless ``AWS_ENDPOINT_URL`` already names one), builds the zip,
applies ``terraform/environments/local`` to it, records the stack in
``.emulator/current.json`` and serves the app with uvicorn. Ctrl-C stops uvicorn and
the emulator this command started, nothing else.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path

from app.dev.emulator import DUMMY_CREDENTIALS, Emulator, EmulatorError
from app.dev.lambda_zip import ZipBuildError, build_zip
from app.dev.paths import EMULATOR_DIR
from app.dev.stack import (
    StackError,
    StackOutputs,
    apply_local,
    require_terraform,
    write_current,
)

# Handed from the developer's environment to the deployed functions when set.
PASSED_THROUGH = ("EXPO_PUSH_URL",)
_EXAMPLE_BATCH = '{"name":"First kefir","kind":"milk_kefir","startedAt":"2026-11-26T08:00:00Z"}'


def main(argv: list[str] | None = None) -> int:
    """Bring the stack up and serve until Ctrl-C; one clear line on a known failure."""
    args = _parse(argv)
    try:
        require_terraform()
        with ExitStack() as cleanup:
            endpoint, run_dir, owned = _emulator(args.emulator_port, cleanup)
            outputs = _deploy(endpoint, run_dir)
            _serve(args, endpoint, outputs, owned=owned)
    except (EmulatorError, ZipBuildError, StackError) as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m app.dev.run", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--emulator-port", type=int, default=4566)
    parser.add_argument("--app", default="app.main:create_app", help="ASGI app factory")
    return parser.parse_args(argv)


def _emulator(port: int, cleanup: ExitStack) -> tuple[str, Path, bool]:
    """Reuse the emulator ``AWS_ENDPOINT_URL`` names, or start one owned by this run.

    An emulator we start is empty, so its Terraform state starts empty too; one we
    reuse keeps the state of earlier runs against it, so a second apply updates.
    """
    given = os.environ.get("AWS_ENDPOINT_URL", "").strip().rstrip("/")
    if given:
        print(f"Using the emulator at {given} (AWS_ENDPOINT_URL)")
        slug = given.split("://", 1)[-1].replace(":", "-").replace("/", "-")
        return given, EMULATOR_DIR / "runs" / f"external-{slug}", False
    emulator = Emulator(port)
    print(f"Starting the emulator on {emulator.endpoint} (log: {emulator.log_path})")
    cleanup.enter_context(emulator)
    run_dir = EMULATOR_DIR / "runs" / str(emulator.port)
    shutil.rmtree(run_dir, ignore_errors=True)
    return emulator.endpoint, run_dir, True


def _deploy(endpoint: str, run_dir: Path) -> StackOutputs:
    zip_path = build_zip()
    extra = {name: os.environ[name] for name in PASSED_THROUGH if os.environ.get(name)}
    print(f"Applying terraform/environments/local (log: {run_dir / 'terraform.log'})")
    outputs = apply_local(endpoint, run_dir, zip_path, extra_environment=extra or None)
    write_current(endpoint, outputs)
    return outputs


def app_environment(endpoint: str, outputs: StackOutputs) -> dict[str, str]:
    """The settings the app reads: the functions' own as Terraform gave them (which point
    at the emulator), with the region and dummy credentials Lambda would provide."""
    return {
        **outputs.environment,
        "AWS_REGION": outputs.region,
        "AWS_DEFAULT_REGION": outputs.region,
        **DUMMY_CREDENTIALS,
    }


def _serve(args: argparse.Namespace, endpoint: str, outputs: StackOutputs, *, owned: bool) -> None:
    import uvicorn  # the `serve` extra; imported late so the rest works without it

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)  # real credentials must not mix with the dummy ones
    os.environ.update(app_environment(endpoint, outputs))
    base = f"http://{args.host}:{args.port}"
    print(
        f"""
API:           {base}/
OpenAPI:       {base}/schema  (Swagger UI: {base}/schema/swagger)
Via gateway:   {endpoint}/_aws/execute-api/{outputs.api_id}/
Get a token:   export TOKEN=$(make -s token EMAIL=you@example.com)
Create batch:  curl -X POST {base}/batches -H "Authorization: Bearer $TOKEN" \\
                 -H 'content-type: application/json' \\
                 -d '{_EXAMPLE_BATCH}'
Ctrl-C stops the app{" and the emulator" if owned else ""}.
""",
        flush=True,
    )
    uvicorn.run(args.app, factory=True, host=args.host, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
