"""Liveness and readiness, for orchestrators and load balancers."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import connections
from tortoise.exceptions import BaseORMException

logger = logging.getLogger("phananh.health")


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving; says nothing about its dependencies."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers; 503 otherwise, so traffic goes elsewhere until it does."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except (BaseORMException, OSError) as exc:
        logger.warning("readiness check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
