"""Headless Chromium (Debian's `chromium` package) for the tests that look at a page.

`.ci/run` installs it when missing. When it still cannot be found the calling test
fails and says so: a browser test that quietly skips proves nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "headless Chromium is required for this test and is not installed: "
        "`apt-get install -y chromium` (.ci/run does this on CI)",
        pytrace=False,
    )


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )


def dump_dom(url: str) -> str:
    """The page's DOM after load, as Chromium serialises it."""
    result = _run("--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


def screenshot(url: str, out: Path, *, width: int, height: int, scale: int = 1) -> Path:
    result = _run(
        f"--screenshot={out}",
        f"--window-size={width},{height}",
        f"--force-device-scale-factor={scale}",
        url,
    )
    assert out.exists(), result.stderr[-2000:]
    return out
