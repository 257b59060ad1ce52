"""Liveness says the process serves; readiness reports each dependency on its own, and is 503 only without the
database (the one the API cannot serve without)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app, open_clients
from core.settings import Settings
from tests.helpers.environment import make_settings
from tests.helpers.live_env import DEAD_REDIS_URL, REDIS_PORT, REDIS_URL, require_redis
from tests.helpers.servers import free_port
from tests.helpers.tcp_proxy import tcp_proxy

EVERYTHING_UP = {"status": "ok", "database": "up", "storage": "up", "events": "up"}


async def test_liveness_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, EVERYTHING_UP)


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    echoed = await client.get("/healthz", headers={"X-Request-ID": "console-42"})
    assert echoed.headers["x-request-id"] == "console-42"
    refused = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert refused.headers["x-request-id"] != "bad id\nwith newline"


async def test_readiness_is_503_when_the_database_is_gone(run_server: Any, tmp_path: Path) -> None:
    """A server whose PostgreSQL does not answer (nothing listens on port 9) stays alive but is not ready."""
    server = run_server({"DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}, migrate=False)
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/healthz")).status_code == 200
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "down", "storage": "up", "events": "up"}


async def test_readiness_stays_200_without_the_store_or_the_event_bus(run_server: Any) -> None:
    """Reads and most mutations work without them: the server says which one is down but stays in rotation. (The
    servers of these tests share the session's database, migrated and seeded already.)"""
    server = run_server(
        {
            "STORAGE_URL": "s3://phananh-media",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
            "AWS_ACCESS_KEY_ID": "phananh-api",
            "AWS_SECRET_ACCESS_KEY": "unused",
            "EVENTS_URL": DEAD_REDIS_URL,
        },
        migrate=False,
    )
    async with httpx.AsyncClient(base_url=server.url) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "degraded", "database": "up", "storage": "down", "events": "down"}
        assert (await http.get("/healthz")).status_code == 200


async def test_readiness_sees_the_redis_subscription(run_server: Any) -> None:
    require_redis()
    server = run_server({"EVENTS_URL": REDIS_URL}, migrate=False)
    async with httpx.AsyncClient(base_url=server.url) as http:
        ready = await http.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, EVERYTHING_UP)


async def test_readiness_follows_the_event_bus_through_an_outage(run_server: Any) -> None:
    """Redis goes away and comes back (a forwarder the test cuts): `events` says so each time, the status never 503."""
    require_redis()
    async with tcp_proxy(REDIS_PORT) as redis_link:
        server = run_server({"EVENTS_URL": f"redis://127.0.0.1:{redis_link.port}/0"}, migrate=False)
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert await _ready_once_events(http, "up") == (200, EVERYTHING_UP)
            await redis_link.cut()
            assert await _ready_once_events(http, "down") == (
                200,
                {**EVERYTHING_UP, "status": "degraded", "events": "down"},
            )
            await redis_link.restore()
            assert await _ready_once_events(http, "up") == (200, EVERYTHING_UP)


async def _ready_once_events(http: httpx.AsyncClient, state: str, within: float = 30) -> tuple[int, Any]:
    """`/readyz` as soon as it reports the event bus `state` (or as it is after `within` seconds)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        ready = await http.get("/readyz")
        if ready.json()["events"] == state or asyncio.get_running_loop().time() > deadline:
            return ready.status_code, ready.json()
        await asyncio.sleep(0.2)


async def test_a_missing_bucket_is_reported_as_storage_down(
    moto_endpoint: str, database_url: str, tmp_path: Path
) -> None:
    """The store answers but the bucket is not there (or the API's user may not see it): uploads would fail."""
    settings = make_settings(
        database_url,
        tmp_path,
        STORAGE_URL="s3://no-such-bucket",
        S3_ENDPOINT_URL=moto_endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
    )
    async with _client(settings) as http:
        ready = await http.get("/readyz")
    assert (ready.status_code, ready.json()["status"], ready.json()["storage"]) == (200, "degraded", "down")


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app with its store and event bus open (the database is the session's), and an HTTP client to it."""
    app = create_app(settings)
    async with (
        open_clients(app, settings, workers=False),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        yield http


def test_settings_helper_builds_test_settings(tmp_path: Path) -> None:
    settings = make_settings("sqlite://:memory:", tmp_path)
    assert create_app(settings).state.settings is settings
