"""`GET /metrics`: the Prometheus text format, every worker's counts in one answer.

Under `phananh serve` every worker writes its metrics to files in `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's
multiprocess mode: the command makes the directory, empty, before uvicorn starts a worker) and whichever worker
answers adds them all up. The backlogs (outbox, notifications) are read from the database by the scrape itself.

It is not behind the GraphQL endpoint's authentication: Prometheus has no account. Instead `METRICS_TOKEN`, when
set, is required as a bearer token, and `METRICS_ENABLED` (off by default in production unless a token is set)
answers 404 when off, so that the numbers of a public deployment are not public.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import connections
from tortoise.exceptions import BaseORMException

from api.background import background
from api.errors import error_response
from api.multiprocess import current_directory
from core.metrics import DB_POOL
from services.monitoring.backlogs import Backlogs, read_backlogs

logger = logging.getLogger("phananh.metrics")
POOL_SAMPLE_SECONDS = 5.0


async def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.metrics_enabled:
        return error_response(404, "NOT_FOUND", "Not Found")
    if settings.metrics_token is not None and not _bearer_matches(request, settings.metrics_token):
        response = error_response(401, "UNAUTHENTICATED", "GET /metrics needs the bearer token METRICS_TOKEN.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    sample_pool()
    try:
        backlogs: Backlogs | None = await read_backlogs()
    except (BaseORMException, OSError) as exc:
        logger.warning("metrics: the backlogs could not be read: %s", type(exc).__name__)
        backlogs = None
    body = generate_latest(_registry()) + generate_latest(_backlog_registry(backlogs))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


class MetricsOutsideAuthentication:
    """Answers `GET /metrics` before the app's middleware: the bearer token Prometheus sends is METRICS_TOKEN, which
    the GraphQL authentication would refuse as an invalid access token. Other methods go on to the route (405)."""

    def __init__(self, app: ASGIApp, path: str = "/metrics") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and scope["method"] in ("GET", "HEAD"):
            response = await metrics(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode())


_multiprocess_registry: CollectorRegistry | None = None


def _registry() -> CollectorRegistry:
    """Every worker's files when served by `phananh serve`; this process's metrics otherwise."""
    global _multiprocess_registry
    directory = current_directory()
    if directory is None:
        return REGISTRY
    if _multiprocess_registry is None:
        _multiprocess_registry = CollectorRegistry()
        MultiProcessCollector(_multiprocess_registry, path=directory)
    return _multiprocess_registry


class _BacklogCollector(Collector):
    def __init__(self, backlogs: Backlogs | None) -> None:
        self.backlogs = backlogs

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "phananh_backlogs_readable", "1 when this scrape could read the backlogs from the database, else 0."
        )
        up.add_metric([], 0 if self.backlogs is None else 1)
        yield up
        if self.backlogs is None:
            return
        for name, documentation, value in (
            (
                "phananh_outbox_backlog",
                "Live events waiting in the outbox to be published.",
                self.backlogs.outbox_pending,
            ),
            (
                "phananh_outbox_oldest_age_seconds",
                "Age of the oldest unpublished outbox event (0 when none waits).",
                self.backlogs.outbox_oldest_age_seconds,
            ),
            (
                "phananh_notification_queue_depth",
                "Notifications waiting to be sent (or retried).",
                self.backlogs.notifications_pending,
            ),
            (
                "phananh_notifications_failed",
                "Notifications given up after their last attempt (kept for an operator to look at).",
                self.backlogs.notifications_failed,
            ),
        ):
            gauge = GaugeMetricFamily(name, documentation)
            gauge.add_metric([], float(value))
            yield gauge


def _backlog_registry(backlogs: Backlogs | None) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_BacklogCollector(backlogs))
    return registry


def sample_pool() -> None:
    """This process's PostgreSQL pool: connections lent out and idle (SQLite has no pool: nothing to say)."""
    try:
        pool = getattr(connections.get("default"), "_pool", None)
    except BaseORMException:
        return
    if pool is None or not hasattr(pool, "get_idle_size"):
        return
    idle = pool.get_idle_size()
    DB_POOL.labels("in_use").set(pool.get_size() - idle)
    DB_POOL.labels("idle").set(idle)


@asynccontextmanager
async def sampling_pool() -> AsyncIterator[None]:
    """Samples the pool every few seconds while the app runs, so each worker's gauge is fresh whichever worker
    answers a scrape; on the way out this worker's live gauges leave the sums."""

    async def sample_forever() -> None:
        while True:
            sample_pool()
            await asyncio.sleep(POOL_SAMPLE_SECONDS)

    try:
        async with background(sample_forever(), "pool-sampler"):
            yield
    finally:
        directory = current_directory()
        if directory is not None:
            mark_process_dead(os.getpid(), directory)
