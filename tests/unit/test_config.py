"""Settings fail at start-up with the variable's name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.config import SettingsError, load_settings

VALID = {
    "TABLE_NAME": "kefir",
    "COGNITO_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
    "COGNITO_CLIENT_ID": "client",
}


def test_derives_the_jwks_url_from_the_issuer() -> None:
    settings = load_settings(VALID)
    assert settings.cognito_jwks_url == VALID["COGNITO_ISSUER"] + "/.well-known/jwks.json"
    assert settings.max_body_bytes == 64 * 1024


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"TABLE_NAME": ""}, "TABLE_NAME"),
        ({"COGNITO_CLIENT_ID": ""}, "COGNITO_CLIENT_ID"),
        ({"MAX_BODY_BYTES": "lots"}, "MAX_BODY_BYTES"),
        ({"MAX_BODY_BYTES": "10"}, "MAX_BODY_BYTES"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"LOG_JSON": "maybe"}, "LOG_JSON"),
        ({"COGNITO_ISSUER": "cognito"}, "COGNITO_ISSUER"),
        # Accepted once, and then every token failed (PyJWKClient refuses a 0 lifespan).
        ({"JWKS_CACHE_SECONDS": "0"}, "JWKS_CACHE_SECONDS"),
    ],
)
def test_a_bad_value_names_its_variable(overrides: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({**VALID, **overrides})


def test_the_lambda_handler_fails_at_import_without_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k not in VALID}
    result = subprocess.run(
        [sys.executable, "-c", "import app.entrypoints.api"],
        env=env | {"COGNITO_ISSUER": VALID["COGNITO_ISSUER"], "COGNITO_CLIENT_ID": "c"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "TABLE_NAME" in result.stderr
