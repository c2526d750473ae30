"""`create_app()`: the one place the Litestar app is assembled.

AWS clients are built here, once per process (once per Lambda cold start), and
handed to the routes through app state; nothing is built in lifespan hooks, which
Mangum would otherwise run on every invocation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from app.api.batches import BatchController
from app.api.bottles import BottleController
from app.api.cultures import CultureController, PublicCultureController
from app.api.devices import DeviceController
from app.api.errors import EXCEPTION_HANDLERS
from app.api.export import ExportController
from app.api.health import health
from app.api.labels import LabelController
from app.api.me import MeController
from app.api.middleware import request_logging
from app.api.photos import PhotoController
from app.api.public import PublicController
from app.api.reminder_flows import ReminderFlows
from app.api.reminders import ReminderController
from app.config import Settings, get_settings
from app.logs import configure_logging
from app.services.auth import TokenVerifier
from app.services.clients import AwsClients
from app.services.photos import PhotoObjects
from app.services.scheduler import ReminderScheduler
from app.store.batches import BatchStore
from app.store.bottles import BottleStore
from app.store.cultures import CultureStore
from app.store.devices import DeviceStore
from app.store.export import ExportStore
from app.store.lineage import LineageStore
from app.store.partition import UserPartition
from app.store.photos import PhotoStore
from app.store.profiles import ProfileStore
from app.store.public import PublicStore
from app.store.reminders import ReminderStore
from app.usecases.bottles import Bottles
from app.usecases.cultures import Cultures

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def from_state(key: str) -> Provide:
    """A dependency that hands a route the object built once in `create_app()`."""

    def provide(request: Request[Any, Any, Any]) -> Any:
        return request.app.state[key]

    return Provide(provide, sync_to_thread=False)


def reminder_scheduler(settings: Settings, clients: AwsClients) -> ReminderScheduler | None:
    """None when reminders are not configured: their routes then answer 503."""
    if settings.reminders_schedule_group is None:
        return None
    return ReminderScheduler(
        lambda: clients.scheduler,
        group=settings.reminders_schedule_group,
        function_arn=settings.reminders_function_arn or "",
        role_arn=settings.scheduler_role_arn or "",
        dead_letter_arn=settings.reminders_dlq_arn or "",
    )


def _photo_objects(settings: Settings, clients: AwsClients) -> PhotoObjects | None:
    """S3 for photos and exports; the client is built on first use, not at cold start."""
    if settings.photos_bucket is None:
        return None
    return PhotoObjects(lambda: clients.s3, settings.photos_bucket, settings.photo_url_seconds)


def create_app(
    settings: Settings | None = None, dynamodb: DynamoDBClient | None = None
) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    clients = AwsClients(settings.aws_region, dynamodb)
    table = settings.table_name
    profiles = ProfileStore(clients.dynamodb, table)
    batches = BatchStore(clients.dynamodb, table)
    state = State(
        {
            "settings": settings,
            "clients": clients,
            "store": batches,
            "profiles": profiles,
            "partition": UserPartition(clients.dynamodb, table),
            "photo_store": PhotoStore(clients.dynamodb, table),
            "public_store": PublicStore(clients.dynamodb, table),
            "export_store": ExportStore(clients.dynamodb, table),
            "photo_objects": _photo_objects(settings, clients),
            "reminder_flows": ReminderFlows(
                ReminderStore(clients.dynamodb, table),
                profiles,
                reminder_scheduler(settings, clients),
            ),
            "devices": DeviceStore(clients.dynamodb, table),
            "bottles": Bottles(batches, BottleStore(clients.dynamodb, table)),
            "cultures": Cultures(
                CultureStore(clients.dynamodb, table), LineageStore(clients.dynamodb, table)
            ),
            "verifier": TokenVerifier(
                issuer=settings.cognito_issuer,
                client_id=settings.cognito_client_id,
                jwks_url=settings.cognito_jwks_url,
                cache_seconds=settings.jwks_cache_seconds,
                leeway_seconds=settings.jwt_leeway_seconds,
            ),
        }
    )
    app = Litestar(
        route_handlers=[
            health,
            BatchController,
            MeController,
            ReminderController,
            DeviceController,
            PhotoController,
            LabelController,
            ExportController,
            PublicController,
            CultureController,
            PublicCultureController,
            BottleController,
        ],
        dependencies={
            key: from_state(key)
            for key in (
                "settings",
                "clients",
                "store",
                "profiles",
                "partition",
                "reminder_flows",
                "devices",
                "photo_objects",
                "cultures",
                "bottles",
            )
        },
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
        # Logging is structlog's (app.logs); Litestar's own stdlib set-up is not needed.
        logging_config=None,
    )
    app.asgi_handler = request_logging(app.asgi_handler)
    return app
