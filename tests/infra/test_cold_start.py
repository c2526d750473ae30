"""Each Lambda function imports only what its routes need.

A cold start pays for every module imported, and the public page's function is hit
cold by strangers scanning a QR code: a stray import of the scheduler, push, export or
QR code modules there would undo that silently. Checked in a fresh interpreter, on
`sys.modules` after importing the entry point as the Lambda runtime does.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Controller
from litestar.handlers import BaseRouteHandler

import app.api
from app.api.auth import provide_principal
from app.dev.emulator import DUMMY_CREDENTIALS
from app.dev.paths import REPO_ROOT

SETTINGS = {
    "TABLE_NAME": "t",
    "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
    "COGNITO_CLIENT_ID": "c",
    "AWS_REGION": "us-east-1",
    # Every optional service configured, so nothing is skipped for want of a setting.
    "PHOTOS_BUCKET": "photos",
    "REMINDERS_SCHEDULE_GROUP": "reminders",
    "REMINDERS_FUNCTION_ARN": "arn:aws:lambda:us-east-1:000000000000:function:reminders",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::000000000000:role/scheduler",
    "REMINDERS_DLQ_ARN": "arn:aws:sqs:us-east-1:000000000000:reminders-dlq",
    **DUMMY_CREDENTIALS,
}

_IMPORTED = """
import json, sys
import {module}
{module}.handler
print(json.dumps(sorted(sys.modules)))
"""

# What a stray import would drag in: other functions' code, libraries one route uses.
SCHEDULER = {"app.services.scheduler", "app.usecases.reminders", "app.api.reminders"}
PUSH = {"app.services.push", "app.usecases.delivery", "httpx"}
# Built on the first alert only (app.usecases.posted): most readings fire nothing; ingest
# never pushes.
ALERT_PUSH = {"app.usecases.alerts", "app.services.push_receipts", "app.store.devices"}
EXPORT = {"app.api.export", "app.usecases.exports", "app.services.exports", "app.store.export"}
QR = {"segno", "app.api.labels"}
ACCOUNT = {"app.usecases.account", "app.services.cognito", "app.api.me"}
TOKENS = {"jwt", "cryptography"}  # only local runs verify tokens; the gateway does in AWS
HTTP = {"litestar", "mangum", "app.api", "app.main"}
# Clients come from botocore's session (app.services.clients): boto3 would add ~45 ms.
BOTO3 = {"boto3", "s3transfer"}
# The standard library's zoneinfo (it loads sysconfig) and statistics (with fractions):
# imported on use by the few routes that work in a user's zone or take a median.
ON_USE = {"zoneinfo", "sysconfig", "statistics", "fractions"}
# The caller's token check: only the authenticated groups provide `principal`.
PRINCIPAL = {"app.api.auth"}

# The functions without the web framework (they read their event themselves).
NO_WEB = HTTP | PUSH | ALERT_PUSH | SCHEDULER | EXPORT | QR | ACCOUNT | TOKENS | BOTO3 | ON_USE

NOT_IMPORTED = {
    "public": SCHEDULER
    | PUSH
    | EXPORT
    | QR
    | ACCOUNT
    | TOKENS
    | BOTO3
    | ON_USE
    | PRINCIPAL
    # The signed-in culture routes: the public ones are app.api.public_cultures.
    | {"app.api.batches", "app.api.cultures"},
    "export": SCHEDULER | PUSH | QR | ACCOUNT | TOKENS | BOTO3 | ON_USE | {"app.api.public"},
    "api": PUSH | EXPORT | TOKENS | BOTO3 | ON_USE | {"segno"},
    # Devices' readings: no web framework either (app.entrypoints.ingest reads the event).
    "ingest": NO_WEB | PRINCIPAL | {"app.api.batches", "app.api.public"},
    # The reminders function also finishes account deletions (app.usecases.account).
    "reminders": HTTP | EXPORT | QR | TOKENS | BOTO3,
    # The stream's consumer and the silence check: push code only once an alert fired.
    "alerts": NO_WEB,
}


def imported_by(module: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTED.format(module=module)],
        env={"PATH": os.environ.get("PATH", ""), **SETTINGS},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("function", sorted(NOT_IMPORTED))
def test_a_function_imports_none_of_what_it_does_not_serve(function: str) -> None:
    imported = imported_by(f"app.entrypoints.{function}")
    assert f"app.entrypoints.{function}" in imported
    assert sorted(NOT_IMPORTED[function] & imported) == []


@pytest.mark.parametrize("module", sorted(set().union(*NOT_IMPORTED.values())))
def test_every_guarded_module_exists(module: str) -> None:
    """A misspelt name would make the guard above pass for nothing."""
    assert importlib.util.find_spec(module) is not None


def test_route_handlers_annotations_are_objects_not_strings() -> None:
    """Litestar reads the type hints of every handler and provider each time an app is
    built, i.e. on every cold start: a string annotation (`from __future__ import
    annotations` in a route module) is compiled and evaluated there, ~10 ms over the api
    function's routes. Evaluated once at import instead, they cost next to nothing."""
    functions: list[Callable[..., Any]] = [provide_principal]
    for info in pkgutil.iter_modules(app.api.__path__):
        module = importlib.import_module(f"app.api.{info.name}")
        for value in vars(module).values():
            if isinstance(value, BaseRouteHandler):
                functions.append(value.fn)
            elif isinstance(value, type) and issubclass(value, Controller):
                functions += [
                    handler.fn
                    for handler in vars(value).values()
                    if isinstance(handler, BaseRouteHandler)
                ]
    assert len(functions) > 50
    strings = {
        f"{function.__module__}.{function.__qualname__}"
        for function in functions
        if any(isinstance(hint, str) for hint in inspect.get_annotations(function).values())
    }
    assert sorted(strings) == []
