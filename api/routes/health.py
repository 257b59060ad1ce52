"""Liveness and readiness, for orchestrators and load balancers.

Liveness (`/healthz`) is what a container healthcheck restarts on: it says only that this process serves, so a
database outage does not restart every API container at once. Readiness (`/readyz`) reports each dependency on its
own and is 503 only without the database, which nearly every operation needs; without the store (uploads and media
URLs fail) or the event bus (live updates pause; mutations keep their events in the outbox) the API still serves
most requests, so it stays in rotation and says `degraded`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import connections
from tortoise.exceptions import BaseORMException

from services.events import EventBus
from services.media.storage import Storage, StorageUnavailable

logger = logging.getLogger("phananh.health")

CHECK_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving; says nothing about its dependencies."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """`{"status": "ok" | "degraded" | "unavailable", "database": "up" | "down", "storage": ..., "events": ...}`."""
    storage: Storage = request.app.state.storage
    events: EventBus = request.app.state.events
    database, store, bus = await asyncio.gather(
        _check("database", _database),
        _check("storage", storage.check),
        _check("events", lambda: _event_bus(events)),
    )
    body = {"database": database, "storage": store, "events": bus}
    if database == "down":
        return JSONResponse({"status": "unavailable", **body}, status_code=503)
    return JSONResponse({"status": "ok" if "down" not in body.values() else "degraded", **body})


async def _check(name: str, probe: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT_SECONDS)
    except (BaseORMException, OSError, StorageUnavailable, TimeoutError) as exc:
        logger.warning("readiness check of the %s failed: %s", name, type(exc).__name__)
        return "down"
    return "up"


async def _database() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def _event_bus(events: EventBus) -> None:
    """Whether this process hears the events of the others: no round trip, the bus keeps that state itself."""
    if not events.subscribed:
        raise ConnectionError("the event bus is not subscribed")
