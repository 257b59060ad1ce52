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
from api.db import close_db, init_db
from api.graphql import GraphQLApp
from api.request_id import RequestIdMiddleware
from api.routes.dev import dev_routes
from api.routes.health import healthz, readyz
from api.settings import Settings
from auth.tokens import TokenCodec
from schema import schema


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_db(settings)
        try:
            yield
        finally:
            await close_db()

    tokens = TokenCodec(settings)
    graphql = GraphQLApp(schema, settings, tokens)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *dev_routes(settings),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
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
