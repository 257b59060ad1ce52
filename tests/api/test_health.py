"""Liveness says the process serves; readiness says the database answers, and 503 when it does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from tests.helpers.environment import make_settings


async def test_liveness_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "up"})


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
        assert (ready.status_code, ready.json()["database"]) == (503, "down")


def test_settings_helper_builds_test_settings(tmp_path: Path) -> None:
    settings = make_settings("sqlite://:memory:", tmp_path)
    assert create_app(settings).state.settings is settings
