"""The cold-start benchmark covers every function Terraform deploys."""

from __future__ import annotations

import re

from app.dev.paths import REPO_ROOT
from benchmarks.cold_start import FUNCTIONS

TERRAFORM = REPO_ROOT / "terraform"


def test_every_deployed_handler_is_benchmarked() -> None:
    deployed = {
        handler
        for path in TERRAFORM.rglob("*.tf")
        for handler in re.findall(r'"(app\.entrypoints\.[\w.]+)"', path.read_text("utf-8"))
    }
    assert deployed, "Terraform names the functions' handlers"
    assert deployed <= set(FUNCTIONS.values())
