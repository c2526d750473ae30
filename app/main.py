"""`create_app()`: the one place the Litestar app is assembled.

How a route reaches the table, S3, the scheduler or Cognito (the convention every
feature follows):

* A **use case** is a plain class in `app/usecases/<capability>.py` whose constructor
  takes the stores and services it needs (`Batches(BatchStore, ReminderStore, ...)`).
  It holds every step that spans more than one call, and raises `app.domain.errors`.
* Routes come in **groups**, one per Lambda function that serves them (`api`, `public`,
  `export`, `ingest`; `create_app(groups=...)`, all of them by default). A group's builder below
  imports its controllers and builds its stores, services and use cases **once** per
  process (once per Lambda cold start; AWS clients other than DynamoDB on first use),
  naming each use case once, in snake_case: `batches`, `reminders`, `photos`, `account`,
  `devices`, `cultures`, `bottles`, `sensors`, `readings`, `alerts`, `sync` (api),
  `exports` (export), `public` and `cultures` (public), `ingest` and `silence_check`
  (ingest), besides `settings` and the token `verifier`. The imports stay inside the
  builders, so a function imports only what its own routes need
  (`tests/infra/test_cold_start.py` checks each function's). A new capability
  adds its class in `app/usecases/` and its entry in a group; a new HTTP
  function adds a group, `app/entrypoints/<name>.py`, its Terraform entry and its line
  in `benchmarks/cold_start.py`.
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

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from app.api.allow import allowed_methods, options_allow
from app.api.bodies import strict_body
from app.api.errors import EXCEPTION_HANDLERS
from app.api.health import health
from app.api.middleware import request_logging
from app.api.openapi import CORRELATION_PARAMETER, StrictStructSchemaPlugin, openapi_config
from app.config import Settings, get_settings
from app.logs import configure_logging
from app.services.clients import (
    AwsClients,
    photo_objects,
    push,
    reminder_scheduler,
    user_directory,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


RouteGroup = Literal["api", "public", "export", "ingest"]
# Every group: what `uvicorn app.main:create_app --factory` and the tests serve.
ROUTE_GROUPS: tuple[RouteGroup, ...] = ("api", "public", "export", "ingest")


class Routes(NamedTuple):
    """A group's controllers and the objects they ask for, by name."""

    handlers: list[ControllerRouterHandler]
    objects: dict[str, Any]


def api_routes(settings: Settings, clients: AwsClients) -> Routes:
    """Everything behind the authorizer but the export: the `api` function."""
    from app.api.alerts import AlertRulesController
    from app.api.batches import BatchController
    from app.api.bottles import BottleController
    from app.api.culture_reminders import CultureReminderController
    from app.api.cultures import CultureController
    from app.api.devices import DeviceController
    from app.api.labels import LabelController
    from app.api.me import MeController
    from app.api.photos import PhotoController
    from app.api.readings import ChartController, ReadingController
    from app.api.reminders import ReminderController
    from app.api.sensors import SensorController
    from app.api.sync import SyncController
    from app.store.batches import BatchStore
    from app.store.bottles import BottleStore
    from app.store.cultures import CultureStore
    from app.store.deletions import DeletionStore
    from app.store.devices import DeviceStore
    from app.store.lineage import LineageStore
    from app.store.partition import UserPartition
    from app.store.photos import PhotoStore
    from app.store.profiles import ProfileStore
    from app.store.readings import ReadingStore
    from app.store.reminders import ReminderStore
    from app.store.sensors import SensorStore
    from app.store.sync import SyncStore
    from app.usecases.account import Account
    from app.usecases.alert_rules import AlertSettings
    from app.usecases.batches import Batches
    from app.usecases.bottles import Bottles
    from app.usecases.cultures import Cultures
    from app.usecases.devices import Devices
    from app.usecases.photos import Photos
    from app.usecases.readings import Readings
    from app.usecases.reminders import Reminders
    from app.usecases.sensors import Forget, Sensors
    from app.usecases.sync import Sync

    table = settings.table_name
    dynamodb = clients.dynamodb
    profiles = ProfileStore(dynamodb, table)
    reminder_store = ReminderStore(dynamodb, table)
    device_store = DeviceStore(dynamodb, table)
    batch_store = BatchStore(dynamodb, table)
    lineage = LineageStore(dynamodb, table)
    scheduler = reminder_scheduler(settings, clients)
    objects = photo_objects(settings, clients)
    sensor_store = SensorStore(dynamodb, table)
    reading_store = ReadingStore(dynamodb, table)
    forget = Forget(sensor_store, reading_store)
    batches = Batches(batch_store, reminder_store, profiles, scheduler, objects, forget)
    culture_store = CultureStore(dynamodb, table)
    cultures = Cultures(culture_store, lineage, profiles, reminder_store, scheduler)
    return Routes(
        [
            BatchController,
            MeController,
            ReminderController,
            DeviceController,
            PhotoController,
            LabelController,
            CultureController,
            CultureReminderController,
            BottleController,
            SensorController,
            ReadingController,
            ChartController,
            AlertRulesController,
            SyncController,
        ],
        {
            "batches": batches,
            "bottles": Bottles(batch_store, BottleStore(dynamodb, table)),
            "cultures": cultures,
            "reminders": Reminders(reminder_store, profiles, scheduler, culture_store),
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
                forget=forget,
            ),
            "devices": Devices(device_store, lambda: push(settings)),
            "sensors": Sensors(sensor_store),
            "readings": Readings(reading_store),
            "alerts": AlertSettings(reading_store),
            "sync": Sync(
                SyncStore(dynamodb, table),
                batches,
                cultures,
                horizon_seconds=settings.sync_horizon_seconds,
                overlap_seconds=settings.sync_overlap_seconds,
            ),
        },
    )


def public_routes(settings: Settings, clients: AwsClients) -> Routes:
    """No token: a shared batch's or culture's page and summary, the gift landing page,
    app links (the `public` function)."""
    from app.api.public import PublicController
    from app.api.public_cultures import PublicCultureController
    from app.store.cultures import CultureStore
    from app.store.lineage import LineageStore
    from app.store.profiles import ProfileStore
    from app.store.public import PublicStore
    from app.store.readings import ReadingStore
    from app.usecases.cultures import Cultures
    from app.usecases.public import Public

    dynamodb, table = clients.dynamodb, settings.table_name
    # Not "public": a dependency named like a body field (UpdateBatch.public) makes
    # Litestar answer that field's validation error with a 500.
    shared_batches = Public(
        PublicStore(dynamodb, table),
        photo_objects(settings, clients),
        ReadingStore(dynamodb, table),
    )
    cultures = Cultures(
        CultureStore(dynamodb, table), LineageStore(dynamodb, table), ProfileStore(dynamodb, table)
    )
    return Routes(
        [PublicController, PublicCultureController],
        {"shared_batches": shared_batches, "cultures": cultures},
    )


def export_routes(settings: Settings, clients: AwsClients) -> Routes:
    """The CSV export, with its own memory and timeout (the `export` function)."""
    from app.api.export import ExportController
    from app.store.export import ExportStore
    from app.usecases.exports import Exports

    store = ExportStore(clients.dynamodb, settings.table_name)
    exports = Exports(store, photo_objects(settings, clients), settings.export_inline_max_bytes)
    return Routes([ExportController], {"exports": exports})


def ingest_routes(settings: Settings, clients: AwsClients) -> Routes:
    """Readings posted by devices, no Cognito token. In AWS the `ingest` function runs
    the same use case without this app (app.entrypoints.ingest); these routes serve
    local runs and the OpenAPI document."""
    from app.api.ingest import IngestController
    from app.usecases.ingest import ingest_use_case
    from app.usecases.posted import posted_readings
    from app.usecases.silence import SilenceCheck

    ingest = ingest_use_case(settings, clients)
    # What files the readings (the table stream's consumer) and the silence check run in
    # the alerts function (app.entrypoints.alerts); they sit here, beside ingest, for
    # tests, which hand them the stream's records and their own clock.
    posted = posted_readings(settings, clients)
    silence = SilenceCheck(posted.readings, posted.sensors, posted.push)
    return Routes(
        [IngestController],
        {"ingest": ingest, "posted_readings": posted, "silence_check": silence},
    )


GROUP_BUILDERS: dict[RouteGroup, Callable[[Settings, AwsClients], Routes]] = {
    "api": api_routes,
    "public": public_routes,
    "export": export_routes,
    "ingest": ingest_routes,
}
# Groups whose routes have a caller; the public ones must never need a token verifier.
AUTHENTICATED: frozenset[RouteGroup] = frozenset({"api", "export"})


def build_objects(
    settings: Settings, clients: AwsClients, groups: Collection[RouteGroup] = ROUTE_GROUPS
) -> Routes:
    """The groups' controllers and every object they ask for, by its one name."""
    handlers: list[ControllerRouterHandler] = [health]
    objects: dict[str, Any] = {"settings": settings}
    if AUTHENTICATED & set(groups):
        from app.services.auth import TokenVerifier

        objects["verifier"] = TokenVerifier(
            issuer=settings.cognito_issuer,
            client_id=settings.cognito_client_id,
            jwks_url=settings.cognito_jwks_url,
            cache_seconds=settings.jwks_cache_seconds,
            leeway_seconds=settings.jwt_leeway_seconds,
        )
    for group in groups:
        routes = GROUP_BUILDERS[group](settings, clients)
        handlers += routes.handlers
        # A name two groups build (`cultures`: the public group's reads only) is the first
        # group's: `api` comes first and its object does everything the others' do.
        objects = routes.objects | objects
    return Routes(handlers, objects)


def _provide(value: object) -> Provide:
    def provide() -> Any:
        return value

    return Provide(provide, sync_to_thread=False)


def create_app(
    settings: Settings | None = None,
    dynamodb: DynamoDBClient | None = None,
    *,
    groups: Collection[RouteGroup] = ROUTE_GROUPS,
    max_body_bytes: int | None = None,
) -> Litestar:
    """The app serving `groups` (every group by default), plus `/health`.

    The OpenAPI document (`/schema`) describes the whole API, so only an app with every
    group serves it (the local server, compose): a function's app would describe a part
    of it, and building its routes costs each cold start ~10 ms.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    routes = build_objects(settings, AwsClients(settings.aws_region, dynamodb), groups)
    dependencies = {name: _provide(value) for name, value in routes.objects.items()}
    if "verifier" in routes.objects:
        from app.api.auth import provide_principal

        dependencies["principal"] = Provide(provide_principal, sync_to_thread=False)
    # What only the OpenAPI document uses: a function's app serves no document, and
    # declaring the correlation header on each of its routes costs every cold start
    # a parameter per handler (the middleware reads the header itself).
    documented = set(groups) >= set(ROUTE_GROUPS)
    app = Litestar(
        route_handlers=routes.handlers,
        dependencies=dependencies,
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=strict_body,
        state=State(routes.objects),
        request_max_body_size=max_body_bytes or settings.max_body_bytes,
        openapi_config=openapi_config() if documented else None,
        plugins=[StrictStructSchemaPlugin()],
        parameters=CORRELATION_PARAMETER if documented else None,
        debug=False,
        # Logging is structlog's (app.logs); Litestar's own stdlib set-up is not needed.
        logging_config=None,
    )
    app.asgi_handler = request_logging(options_allow(app.asgi_handler, allowed_methods(app)))
    return app
