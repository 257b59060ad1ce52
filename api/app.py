"""The ASGI application. Every client (database, storage, events) is opened in the lifespan, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from api.authentication import BearerTokenBackend, on_authentication_error
from api.csrf import MultipartCsrfMiddleware
from api.db import close_db, init_db
from api.events import open_event_bus, running_relay
from api.graphql import GraphQLApp
from api.limits import BodySizeLimitMiddleware
from api.notifications import notification_worker
from api.request_id import RequestIdMiddleware
from api.routes import media as media_routes
from api.routes.dev import dev_routes
from api.routes.health import healthz, readyz
from api.signin import token_codec
from api.storage import open_storage
from core.settings import Settings
from schema import schema

# Room for the policy fields and multipart framing around the largest file a local upload may carry.
UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024


@asynccontextmanager
async def open_clients(app: Starlette, settings: Settings, *, workers: bool = True) -> AsyncIterator[None]:
    """Everything the lifespan opens but the database: the store and the event bus on `app.state`, and the background
    workers (the outbox relay, the notification sender). Tests that share one database connection open the rest of an
    app exactly as the server does, usually without the workers."""
    async with open_storage(settings) as storage, open_event_bus(settings) as events:
        app.state.storage = storage
        app.state.events = events
        if not workers:
            yield
            return
        async with running_relay(settings, events), notification_worker(settings):
            yield


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_db(settings)
        try:
            async with open_clients(app, settings):
                yield
        finally:
            await close_db()

    tokens = token_codec(settings)
    graphql = GraphQLApp(schema, settings, tokens)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *dev_routes(settings),
            Route("/media/upload", media_routes.upload, methods=["POST"]),
            Route("/media/{key:path}", media_routes.download, methods=["GET"]),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(
                BodySizeLimitMiddleware,
                default_limit=settings.max_request_bytes,
                limits_by_path={"/media/upload": settings.max_video_bytes + UPLOAD_FORM_OVERHEAD_BYTES},
            ),
            Middleware(MultipartCsrfMiddleware),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "x-request-id", "apollo-require-preflight"],
            ),
            Middleware(AuthenticationMiddleware, backend=BearerTokenBackend(tokens), on_error=on_authentication_error),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
