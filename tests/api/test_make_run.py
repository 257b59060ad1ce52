"""`make run` on a fresh database: sets up, migrates, seeds, serves on PORT; a restart keeps the data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.databases import fresh_database
from tests.helpers.servers import free_port, run, server_env, start

WARDS = {"query": "{ wards { code } categories { kind } agencies { code } }"}


@pytest.fixture
async def fresh_database_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    async with fresh_database(request, db_kind, tmp_path / "fresh") as url:
        yield url


def test_make_run_serves_on_the_chosen_port_and_keeps_data(fresh_database_url: str, tmp_path: Path) -> None:
    port = free_port()
    # GraphiQL's assets are fetched from a registry that refuses at once: no test reaches beyond this machine.
    registry = f"http://127.0.0.1:{free_port()}"
    env = server_env(
        {
            "PORT": str(port),
            "DATABASE_URL": fresh_database_url,
            "VAR_DIR": str(tmp_path / "var"),
            "NPM_REGISTRY": registry,
        }
    )
    server = start(["make", "--no-print-directory", "run"], env, tmp_path / "make-run.log")
    try:
        body = httpx.post(f"{server.url}/graphql", json=WARDS, timeout=10).json()["data"]
        assert server.url.endswith(f":{port}")
        assert len(body["wards"]) == 126
        assert {c["kind"] for c in body["categories"]} == {"VIOLATION", "INFRASTRUCTURE"}
        created = run(
            ["phananh", "create-user", "--username", "chief", "--password", "long-enough-pw", "--role", "ADMIN"], env
        )
        assert created.returncode == 0, created.stderr
    finally:
        server.stop()
    log = (tmp_path / "make-run.log").read_text()
    assert "applying migrations" in log
    assert "loading reference data" in log

    restarted = start(["make", "--no-print-directory", "run"], env, tmp_path / "make-run-2.log")
    try:
        assert "reference data: already up to date" in (tmp_path / "make-run-2.log").read_text()
        again = run(
            ["phananh", "create-user", "--username", "chief", "--password", "long-enough-pw", "--role", "ADMIN"], env
        )
        assert (again.returncode, again.stderr.strip()) == (1, "error: That username is taken.")
    finally:
        restarted.stop()
