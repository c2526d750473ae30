"""`create_app()`: the one place the Litestar app is assembled.

How a route reaches the table, S3, the scheduler or Cognito (the convention every
feature follows):

* A **use case** is a plain class in `app/usecases/<capability>.py` whose constructor
  takes the stores and services it needs (`Batches(BatchStore, ReminderStore, ...)`).
  It holds every step that spans more than one call, and raises `app.domain.errors`.
* `build_objects()` builds every store, service and use case **once** per process
  (once per Lambda cold start; AWS clients other than DynamoDB on first use) and names
  each use case once, in snake_case: `batches`, `reminders`, `photos`, `account`,
  `devices`, `exports`, `public`, `cultures`, `bottles` (besides `settings` and the
  token `verifier`). A new
  capability adds its class in `app/usecases/` and one entry there.
* Each name is an app-wide Litestar dependency: a controller asks for an object by
  that name, typed `NamedDependency[<Class>]`; the `principal` dependency (the caller)
  is the only one computed per request. The same objects sit in `app.state` under
  the same names, for tests.
* A controller parses input, makes **one** use-case call and maps the result to a
  response schema (`app/api/schemas/<feature>.py`). It never touches a store or a
  service. Lambda entry points build their clients and call a use case the same way.

`make lint` checks the direction (import-linter contracts in pyproject.toml):
`main` -> `api` -> `usecases` -> `store`, `services` -> `domain`.

Nothing is built in lifespan hooks, which Mangum would otherwise run on every invocation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from app.api.auth import provide_principal
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
from app.api.reminders import ReminderController
from app.config import Settings, get_settings
from app.logs import configure_logging
from app.services.auth import TokenVerifier
from app.services.clients import AwsClients, photo_objects, reminder_scheduler, user_directory
from app.store.batches import BatchStore
from app.store.bottles import BottleStore
from app.store.cultures import CultureStore
from app.store.deletions import DeletionStore
from app.store.devices import DeviceStore
from app.store.export import ExportStore
from app.store.lineage import LineageStore
from app.store.partition import UserPartition
from app.store.photos import PhotoStore
from app.store.profiles import ProfileStore
from app.store.public import PublicStore
from app.store.reminders import ReminderStore
from app.usecases.account import Account
from app.usecases.batches import Batches
from app.usecases.bottles import Bottles
from app.usecases.cultures import Cultures
from app.usecases.devices import Devices
from app.usecases.exports import Exports
from app.usecases.photos import Photos
from app.usecases.public import Public
from app.usecases.reminders import Reminders

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def build_objects(settings: Settings, clients: AwsClients) -> dict[str, Any]:
    """Every object a route may ask for, by its one name."""
    table = settings.table_name
    dynamodb = clients.dynamodb
    profiles = ProfileStore(dynamodb, table)
    reminder_store = ReminderStore(dynamodb, table)
    device_store = DeviceStore(dynamodb, table)
    batch_store = BatchStore(dynamodb, table)
    lineage = LineageStore(dynamodb, table)
    scheduler = reminder_scheduler(settings, clients)
    objects = photo_objects(settings, clients)
    return {
        "settings": settings,
        "verifier": TokenVerifier(
            issuer=settings.cognito_issuer,
            client_id=settings.cognito_client_id,
            jwks_url=settings.cognito_jwks_url,
            cache_seconds=settings.jwks_cache_seconds,
            leeway_seconds=settings.jwt_leeway_seconds,
        ),
        "batches": Batches(batch_store, reminder_store, profiles, scheduler, objects),
        "bottles": Bottles(batch_store, BottleStore(dynamodb, table)),
        "cultures": Cultures(CultureStore(dynamodb, table), lineage, profiles),
        "reminders": Reminders(reminder_store, profiles, scheduler),
        "photos": Photos(PhotoStore(dynamodb, table), objects),
        "account": Account(
            profiles,
            DeletionStore(dynamodb, table),
            UserPartition(dynamodb, table),
            device_store,
            scheduler,
            objects,
            user_directory(settings, clients),
            lineage,
        ),
        "devices": Devices(device_store),
        "exports": Exports(ExportStore(dynamodb, table), objects, settings.export_inline_max_bytes),
        "public": Public(PublicStore(dynamodb, table), objects),
    }


def _provide(value: object) -> Provide:
    def provide() -> Any:
        return value

    return Provide(provide, sync_to_thread=False)


def create_app(
    settings: Settings | None = None, dynamodb: DynamoDBClient | None = None
) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    objects = build_objects(settings, AwsClients(settings.aws_region, dynamodb))
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
            "principal": Provide(provide_principal, sync_to_thread=False),
            **{name: _provide(value) for name, value in objects.items()},
        },
        exception_handlers=EXCEPTION_HANDLERS,
        state=State(objects),
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
