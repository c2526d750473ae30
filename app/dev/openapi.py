"""``make openapi``: the app's OpenAPI document as a file, for the app repos' generators.

The document is built from the code (`create_app()`), exactly as `/schema/openapi.json`
serves it; nothing AWS-facing is called, so placeholder settings suffice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from app.config import Settings
from app.dev.paths import BUILD_DIR

DEFAULT_PATH = BUILD_DIR / "openapi.json"

# What the document does not depend on: no request is served while it is built.
_PLACEHOLDER = Settings(
    table_name="openapi",
    cognito_issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_openapi",
    cognito_client_id="openapi",
    cognito_jwks_url="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_openapi/.well-known/jwks.json",
    log_json=False,
    log_level="WARNING",
)


def document() -> dict[str, Any]:
    from app.main import create_app  # late: importing the app configures logging

    schema: dict[str, Any] = create_app(_PLACEHOLDER).openapi_schema.to_schema()
    return schema


def write(path: Path = DEFAULT_PATH, doc: dict[str, Any] | None = None) -> Path:
    """Stable output (sorted keys) so a diff of two versions shows only real changes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document() if doc is None else doc, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(write(Path(args[0]) if args else DEFAULT_PATH))
    return 0


if __name__ == "__main__":
    sys.exit(main())
