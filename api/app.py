"""The ASGI application. Every client (database, storage, events) is opened in the lifespan, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from api.access import AccessMiddleware
from api.authentication import BearerTokenBackend, on_authentication_error
from api.compression import CompressionMiddleware
from api.cors import OriginPolicy
from api.csrf import MultipartCsrfMiddleware
from api.db import close_db, init_db
from api.errors import http_refusal, unhandled_error
from api.events import open_event_bus, running_relay
from api.evidence import evidence_signer
from api.graphql import GraphQLApp, query_limits
from api.limits import BodySizeLimitMiddleware
from api.metrics import OperationMetrics
from api.notifications import notification_worker
from api.persisted import open_persisted_operations
from api.request_id import RequestIdMiddleware
from api.routes import downloads as downloads_routes
from api.routes import media as media_routes
from api.routes import metrics as metrics_routes
from api.routes.dev import dev_routes
from api.routes.evidence_key import evidence_key_routes
from api.routes.graphiql import graphiql_routes
from api.routes.health import healthz, readyz
from api.routes.hotspots import PATH as HOTSPOTS_PATH
from api.routes.hotspots import hotspot_routes
from api.routes.metrics import MetricsOutsideAuthentication
from api.routes.open311 import BASE as OPEN311_BASE
from api.routes.open311 import open311_routes
from api.signin import token_codec
from api.storage import open_storage
from api.throttle import AnonymousThrottle
from api.tracing import exporting_spans, traced_app, tracing_extensions
from core.settings import Settings
from schema import build_schema
from services.reference.cache import follow as follow_reference_changes

# Room for the policy fields and multipart framing around the largest file a local upload may carry.
UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024


class App(Starlette):
    """Starlette with the request id outermost, outside even its error handling: the JSON answer to an unhandled
    error (`api.errors.unhandled_error`) then carries `X-Request-ID`, and its log line the same id."""

    def build_middleware_stack(self) -> ASGIApp:
        """Inside the request id: the trace's span (when tracing is on), then the access log and HTTP metrics."""
        observed = AccessMiddleware(MetricsOutsideAuthentication(super().build_middleware_stack()), self.routes)
        return RequestIdMiddleware(traced_app(observed, self.state.settings))


@asynccontextmanager
async def open_clients(app: Starlette, settings: Settings, *, workers: bool = True) -> AsyncIterator[None]:
    """Everything the lifespan opens but the database: the store, the event bus and the keys that sign evidence and
    download links on `app.state`, and the background workers (the outbox relay, the notification sender). Tests that
    share one database connection open the rest of an app exactly as the server does, usually without the workers."""
    async with (
        open_storage(settings) as storage,
        open_event_bus(settings) as events,
        open_persisted_operations(settings) as persisted,
    ):
        app.state.storage = storage
        app.state.events = events
        follow_reference_changes(events)
        app.state.persisted = persisted
        app.state.evidence_signer = evidence_signer(settings)
        app.state.downloads = downloads_routes.download_signer(settings)
        if not workers:
            yield
            return
        async with running_relay(settings, events), notification_worker(settings):
            yield


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_db(settings, statement_timeout_ms=settings.db_statement_timeout_ms)
        try:
            async with exporting_spans(settings), open_clients(app, settings), metrics_routes.sampling_pool():
                yield
        finally:
            await close_db()

    tokens = token_codec(settings)
    observers = [OperationMetrics, *tracing_extensions(settings)]
    graphql = GraphQLApp(build_schema(query_limits(settings), observers), settings, tokens)
    app = App(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_routes.metrics),
            *dev_routes(settings),
            *graphiql_routes(settings),
            Route("/media/upload", media_routes.upload, methods=["POST"]),
            Route("/media/{key:path}", media_routes.download, methods=["GET"]),
            Route("/downloads/{token}", downloads_routes.download, methods=["GET"]),
            *open311_routes(settings),
            *hotspot_routes(settings),
            *evidence_key_routes(),
        ],
        middleware=[
            Middleware(CompressionMiddleware, minimum_size=settings.gzip_min_bytes),
            Middleware(
                BodySizeLimitMiddleware,
                default_limit=settings.max_request_bytes,
                limits_by_path={"/media/upload": settings.max_video_bytes + UPLOAD_FORM_OVERHEAD_BYTES},
            ),
            Middleware(MultipartCsrfMiddleware),
            OriginPolicy.of(settings).middleware(),
            Middleware(AuthenticationMiddleware, backend=BearerTokenBackend(tokens), on_error=on_authentication_error),
            Middleware(
                AnonymousThrottle,
                per_minute=settings.anonymous_requests_per_minute,
                prefixes=(f"{OPEN311_BASE}/", HOTSPOTS_PATH),
            ),
        ],
        exception_handlers={HTTPException: http_refusal, Exception: unhandled_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
