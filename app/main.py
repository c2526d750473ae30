"""`create_app()`: the one place the Litestar app is assembled.

AWS clients are built here, once per process (once per Lambda cold start), and
handed to the routes through app state; nothing is built in lifespan hooks, which
Mangum would otherwise run on every invocation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from app.api.batches import BatchController
from app.api.errors import EXCEPTION_HANDLERS
from app.api.health import health
from app.api.middleware import request_logging
from app.config import Settings, get_settings
from app.logs import configure_logging
from app.services.auth import TokenVerifier
from app.store.batches import BatchStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Lambda handles one request at a time; short timeouts and standard retries keep a
# slow dependency from eating the whole function timeout.
_BOTO_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    tcp_keepalive=True,
)


def build_dynamodb_client(settings: Settings) -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=settings.aws_region, config=_BOTO_CONFIG)


def _provide_store(request: Request[Any, Any, Any]) -> BatchStore:
    store: BatchStore = request.app.state.store
    return store


def create_app(
    settings: Settings | None = None, dynamodb: DynamoDBClient | None = None
) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    state = State(
        {
            "settings": settings,
            "store": BatchStore(dynamodb or build_dynamodb_client(settings), settings.table_name),
            "verifier": TokenVerifier(
                issuer=settings.cognito_issuer,
                client_id=settings.cognito_client_id,
                jwks_url=settings.cognito_jwks_url,
                cache_seconds=settings.jwks_cache_seconds,
            ),
        }
    )
    app = Litestar(
        route_handlers=[health, BatchController],
        dependencies={"store": Provide(_provide_store, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        state=state,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Kefir API",
            version="0.1.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=False,
    )
    app.asgi_handler = request_logging(app.asgi_handler)
    return app
