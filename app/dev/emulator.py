"""The embedded AWS emulator (ministack), run from its own virtual environment.

ministack pins botocore exactly, so it can never share the app's environment; it gets
``.emulator/venv``, rebuilt only when the pins below change. Its Lambdas run as
subprocesses of that interpreter, which is why the zip is built against it too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from app.dev.logtail import tail
from app.dev.paths import EMULATOR_DIR

# cryptography is what lets its Cognito sign RS256 tokens and serve a JWKS.
PINS = ("ministack==1.5.33", "cryptography==50.0.2")
VENV_DIR = EMULATOR_DIR / "venv"
_STAMP = VENV_DIR / "kefir-pins.txt"
_HEALTH_PATH = "/_ministack/health"
LOOPBACK = "127.0.0.1"
# The emulator accepts any keys; fixed dummies keep real credentials out of reach.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


class EmulatorError(RuntimeError):
    """The emulator could not be installed or did not become healthy."""


def venv_python() -> Path:
    """The emulator's interpreter: the one its Lambdas, and so the zip, run on."""
    return VENV_DIR / "bin" / "python"


def ensure_venv() -> Path:
    """Create or refresh the emulator's environment and return its interpreter.

    A stamp of the pins (and of the base Python) makes repeat calls cost nothing; a
    file lock keeps parallel test workers from installing over each other.
    """
    EMULATOR_DIR.mkdir(parents=True, exist_ok=True)
    wanted = _stamp_text()
    with (EMULATOR_DIR / "venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _current_stamp() == wanted and venv_python().exists():
            return venv_python()
        shutil.rmtree(VENV_DIR, ignore_errors=True)
        _install(VENV_DIR)
        _STAMP.write_text(wanted, encoding="utf-8")
    return venv_python()


def _stamp_text() -> str:
    base = getattr(sys, "_base_executable", sys.executable)
    return "\n".join([*PINS, f"python {sys.version_info[:3]} {base}"]) + "\n"


def _current_stamp() -> str | None:
    try:
        return _STAMP.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _install(venv_dir: Path) -> None:
    uv = shutil.which("uv")
    create = [sys.executable, "-m", "venv", str(venv_dir)]
    if uv:
        _run_quietly([*create, "--without-pip"])
        _run_quietly([uv, "pip", "install", "--python", str(venv_dir / "bin" / "python"), *PINS])
    else:
        _run_quietly(create)
        _run_quietly([str(venv_dir / "bin" / "python"), "-m", "pip", "install", "-q", *PINS])


def _run_quietly(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EmulatorError(
            f"setting up the emulator's environment failed: {' '.join(command)}\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )


def free_port() -> int:
    """Ask the OS for a loopback port nobody holds, so parallel runs don't collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class Emulator:
    """One ministack process on loopback; use as a context manager or call start/stop.

    Its state lives in memory, so every start is an empty AWS account.
    """

    def __init__(self, port: int | None = None, *, startup_timeout: float = 60.0) -> None:
        self.port = port if port is not None else free_port()
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.log_path = EMULATOR_DIR / f"ministack-{self.port}.log"
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> Self:
        """Start the process and return once it answers its health check."""
        if self._process is not None:
            return self
        python = ensure_venv()
        if _port_taken(self.port):
            raise EmulatorError(f"{LOOPBACK}:{self.port} is already in use; pick another port")
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [str(python), "-m", "ministack"],
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C is ours to handle
        )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            BIND_HOST=LOOPBACK,
            GATEWAY_PORT=str(self.port),
            IOT_MTLS_ENABLED="0",
            # Lambdas it runs inherit this, so their boto3 calls come back here.
            AWS_ENDPOINT_URL=self.endpoint,
            **DUMMY_CREDENTIALS,
        )
        return env

    def _wait_until_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmulatorError(
                    f"ministack exited with code {self._process.returncode} during start-up; "
                    f"end of {self.log_path}:\n{tail(self.log_path)}"
                )
            if self.healthy():
                return
            time.sleep(0.1)
        raise EmulatorError(
            f"ministack on {self.endpoint} not healthy after {self.startup_timeout:g} s; "
            f"end of {self.log_path}:\n{tail(self.log_path)}"
        )

    def healthy(self) -> bool:
        """Whether the health endpoint answers 200 right now."""
        try:
            with urllib.request.urlopen(self.endpoint + _HEALTH_PATH, timeout=1) as response:  # noqa: S310 - fixed http loopback URL
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the whole process group (its Lambda workers too) and wait for it."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
        if process is not None:
            _signal_group(process.pid, signal.SIGKILL)  # stragglers left in its group
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((LOOPBACK, port)) == 0
