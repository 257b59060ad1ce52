"""Time limits (issue 14, finding 1): a query answers TIMEOUT at its deadline, and the server's database
connections carry a statement timeout, whose stop also answers TIMEOUT rather than INTERNAL."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from core.settings import Settings
from services.statistics import figures
from tests.helpers.auth_flows import client_for
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.servers import run, server_env

RECEIVED = "{ statistics { received } }"
# The server's own lifespan opens the database; what one of its connections says its statement timeout is.
SHOW_STATEMENT_TIMEOUT = """
import asyncio
from tortoise import connections
from api.app import create_app

async def main():
    app = create_app()
    async with app.router.lifespan_context(app):
        rows = await connections.get("default").execute_query_dict("SHOW statement_timeout")
        print(rows[0]["statement_timeout"])

asyncio.run(main())
"""


async def test_a_query_past_its_deadline_answers_timeout(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def endless(*args: object) -> None:
        await asyncio.sleep(60)

    production = make_settings(settings.database_url, tmp_path, **PRODUCTION_ENV, REQUEST_TIMEOUT_SECONDS="1")
    async with client_for(production) as http:
        monkeypatch.setattr(figures, "summarize", endless)
        started = time.monotonic()
        response = await http.post("/graphql", json={"query": RECEIVED})
        assert time.monotonic() - started < 10
        assert response.status_code == 200
        assert_refused(response.json(), "TIMEOUT", timeoutSeconds=1)
        monkeypatch.undo()
        assert "statistics" in only_data(await gql(http, RECEIVED))


async def test_the_servers_connections_carry_the_statement_timeout(
    db_kind: str, database_url: str, tmp_path: Path
) -> None:
    if db_kind != "postgres":
        pytest.skip("statement_timeout is PostgreSQL's")
    env = server_env({"DATABASE_URL": database_url, "VAR_DIR": str(tmp_path), "DB_STATEMENT_TIMEOUT_MS": "4321"})
    done = run([sys.executable, "-c", SHOW_STATEMENT_TIMEOUT], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "4321ms"


async def test_a_statement_the_database_stops_answers_timeout(
    db_kind: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_kind != "postgres":
        pytest.skip("statement_timeout is PostgreSQL's")

    async def slow_statement(*args: object) -> None:
        async with in_transaction() as connection:
            await connection.execute_query("SET LOCAL statement_timeout = 50")
            await connection.execute_query("SELECT pg_sleep(5)")

    production = make_settings(settings.database_url, tmp_path, **PRODUCTION_ENV)
    async with client_for(production) as http:
        monkeypatch.setattr(figures, "summarize", slow_statement)
        assert_refused(await gql(http, RECEIVED), "TIMEOUT")
