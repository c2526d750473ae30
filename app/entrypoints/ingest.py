"""Lambda entry point for `POST /ingest/{token}` (and `POST /ingest` with X-API-KEY).

Its own function so devices never share capacity (or a cold start) with people, and so
its role can write readings only. It imports just what ingest needs: no Cognito
verifier, no S3, no scheduler, no other routes. The app is built at import, once per
cold start; lifespan is off because Mangum would otherwise run it on every invocation.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from mangum import Mangum

from app.api.errors import EXCEPTION_HANDLERS
from app.api.ingest import MAX_INGEST_BODY, IngestController
from app.api.middleware import request_logging
from app.config import Settings, get_settings
from app.logs import configure_logging
from app.services.clients import AwsClients
from app.services.push import push_sender
from app.services.push_receipts import ReceiptScheduler
from app.store.devices import DeviceStore
from app.store.readings import ReadingStore
from app.store.sensors import SensorStore
from app.usecases.alerts import AlertPush
from app.usecases.ingest import Ingest


def create_ingest_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    clients = AwsClients(settings.aws_region)
    dynamodb = clients.dynamodb
    table = settings.table_name
    ingest = Ingest(
        SensorStore(dynamodb, table),
        ReadingStore(dynamodb, table),
        AlertPush(
            DeviceStore(dynamodb, table),
            push_sender(settings.expo_push_url, settings.expo_access_token),
            ReceiptScheduler.from_settings(settings, lambda: clients.scheduler),
        ),
    )
    app = Litestar(
        route_handlers=[IngestController],
        dependencies={"ingest": Provide(lambda: ingest, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_INGEST_BODY,
        openapi_config=None,
        debug=False,
        logging_config=None,
    )
    app.asgi_handler = request_logging(app.asgi_handler)
    return app


# Mangum types its ASGI parameter loosely; Litestar is a complete ASGI app.
handler = Mangum(create_ingest_app(), lifespan="off")  # type: ignore[arg-type]
