"""Schemathesis against the app: the OpenAPI document is what the app does.

The app is served over loopback HTTP (uvicorn, as `make run` serves it) against this
session's emulator, and Schemathesis runs every phase (examples, coverage, fuzzing,
stateful) with every check, as two real Cognito users (their access tokens in a WFC
auth file; `object_level_authorization` replays one's reads as the other). Config and
the reasons for anything excluded: `contract/schemathesis.toml`.

The same run goes through the emulator's API Gateway into the deployed zip Lambda (JWT
authorizer included), from the document file `make openapi` writes.

`make test` runs a bounded pass; `make contract 600` a longer one
(`CONTRACT_SECONDS`, the budget of both runs together: two thirds for the app, one
third through the gateway). The figures land in `build/contract/<run>/summary.json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from app.config import Settings
from app.dev import openapi
from app.dev.emulator import LOOPBACK, Emulator, free_port
from app.dev.paths import BUILD_DIR, REPO_ROOT
from app.dev.stack import StackOutputs
from app.main import create_app
from tests.conftest import User, new_user

CONFIG = REPO_ROOT / "contract" / "schemathesis.toml"
SECONDS = int(os.environ.get("CONTRACT_SECONDS", "90"))
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Through the gateway each request costs a Lambda invocation in the emulator: a short
# budget (`make test`) ends during the coverage phase; `make contract` runs them all.
GATEWAY_EVERY_PHASE_SECONDS = 300
SERVER_ERROR_CODES = {"ST101", "ST102"}  # a 5xx, for a declared or undeclared body type


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[str]:
    """The app on a loopback port, in this process, against the session's emulator."""
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host=LOOPBACK,
            port=free_port(),
            lifespan="off",
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, name="contract-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)
    yield f"http://{LOOPBACK}:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def peers(stack: StackOutputs, emulator: Emulator) -> dict[str, User]:
    """Users of their own: the fuzzer deletes accounts, which must not be another test's."""
    return {name: new_user(stack, emulator, f"contract-{name}") for name in ("alice", "bob")}


def wfc_auth(peers: dict[str, User], path: Path) -> Path:
    """A Web Fuzzing Commons auth file: each peer's real access token as a fixed header."""
    entries = [
        {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {user.token}"}]}
        for name, user in peers.items()
    ]
    path.write_text(json.dumps({"auth": entries}), encoding="utf-8")
    return path


class Outcome:
    """The figures of one run, from Schemathesis' JSON report."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report
        self.cases = int(report["test_cases"]["generated"])
        self.failures = [f for f in report["failures"] if f["code"] not in SERVER_ERROR_CODES]
        self.server_errors = [f for f in report["failures"] if f["code"] in SERVER_ERROR_CODES]
        self.errors = report["errors"]
        self.phases = {name: p["status"] for name, p in report["phases"].items()}

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "unique_failures": sum(f["count"] for f in self.failures),
            "server_errors": sum(f["count"] for f in self.server_errors),
            "errors": len(self.errors),
            "phases": self.phases,
            "seconds": round(self.report["running_time"], 1),
            "seed": self.report["seed"],
        }


def run_schemathesis(
    location: str,
    auth: Path,
    out: Path,
    seconds: int,
    *extra: str,
    checks: str = "all",
    phases: tuple[str, ...] = PHASES,
) -> Outcome:
    report = out / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        location,
        "--checks",
        checks,
        "--phases",
        ",".join(phases),
        "--max-time",
        str(seconds),
        "--report",
        "json,junit",
        "--report-json-path",
        str(report),
        "--report-junit-path",
        str(out / "junit.xml"),
        *extra,
    ]
    environment = {**os.environ, "KEFIR_CONTRACT_AUTH": str(auth)}
    result = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=seconds + 600
    )
    (out / "output.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert report.exists(), result.stdout[-4000:] + result.stderr[-4000:]
    outcome = Outcome(json.loads(report.read_text(encoding="utf-8")))
    (out / "summary.json").write_text(json.dumps(outcome.summary(), indent=2), encoding="utf-8")
    print(f"schemathesis {location}: {outcome.summary()}")
    return outcome


def _explain(outcome: Outcome, out: Path) -> str:
    text = (out / "output.txt").read_text(encoding="utf-8")
    return f"{outcome.summary()}\n(full output: {out / 'output.txt'})\n{text[-12000:]}"


def _assert_kept(outcome: Outcome, out: Path, *, every_phase: bool = True) -> None:
    """No failure, no server error; each phase that ran passed, and all of them ran
    unless the run is a short one whose budget may end before the later phases."""
    assert outcome.cases > 0
    assert not outcome.server_errors, _explain(outcome, out)
    assert not outcome.failures, _explain(outcome, out)
    assert not outcome.errors, _explain(outcome, out)
    ran = {name: status for name, status in outcome.phases.items() if status != "skip"}
    assert all(status == "success" for status in ran.values()), _explain(outcome, out)
    assert "examples" in ran, _explain(outcome, out)
    if every_phase:
        assert set(ran) == set(PHASES), _explain(outcome, out)


def _out(run: str) -> Path:
    out = BUILD_DIR / "contract" / run
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_the_app_keeps_its_documented_contract(served: str, peers: dict[str, User]) -> None:
    out = _out("app")
    auth = wfc_auth(peers, out / "auth.json")
    outcome = run_schemathesis(f"{served}/schema/openapi.json", auth, out, SECONDS * 2 // 3)
    _assert_kept(outcome, out)


@pytest.mark.e2e
def test_the_deployed_api_keeps_it_through_the_gateway(
    emulator: Emulator, stack: StackOutputs, peers: dict[str, User]
) -> None:
    out = _out("gateway")
    auth = wfc_auth(peers, out / "auth.json")
    document = openapi.write(out / "openapi.json")
    outcome = run_schemathesis(
        str(document),
        auth,
        out,
        max(SECONDS // 3, 20),
        "--url",
        f"{emulator.endpoint}/_aws/execute-api/{stack.api_id}",
        # The emulator starts a function's worker as a process on first use: seconds on
        # this shared machine, which the default 10 s response-time check would count.
        "--max-response-time",
        "30",
    )
    _assert_kept(outcome, out, every_phase=SECONDS >= GATEWAY_EVERY_PHASE_SECONDS)
