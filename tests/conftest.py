"""Test harness: one fresh database per run (SQLite or PostgreSQL), built by the real migrations and seeded once.

`--db=sqlite` always works; `--db=postgres` uses the server at `--pg-url` and skips when none answers, except under
CI (`CI=true`), where a missing server is a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import connections

from api.app import create_app, open_clients
from api.db import close_db, init_db, migrate
from api.signin import token_codec
from auth.tokens import TokenCodec
from core.settings import Settings
from models.agencies import Agency
from models.enums import Role
from models.routing import RoutingRule
from services.reference.cache import reference_cache
from services.reference.seed import seed_reference_data
from services.statistics import rollup
from tests.helpers.databases import OPERATIONAL_TABLES, fresh_database
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller, make_caller
from tests.helpers.servers import Server, free_port, run, server_env, start

# Fixtures of the media tests (both stores, moto on 127.0.0.1) and the live tests (servers, Redis), kept beside them.
pytest_plugins = ["tests.helpers.media_env", "tests.helpers.live_env"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=("sqlite", "postgres"), default="sqlite", help="database the suite runs on")
    parser.addoption(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres", help="PostgreSQL server for --db=postgres"
    )


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
async def database_url(
    request: pytest.FixtureRequest, db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async with fresh_database(request, db_kind, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="session", autouse=True)
async def database(settings: Settings) -> AsyncIterator[datetime]:
    """Migrate from zero, seed, and keep one connection pool for the whole run."""
    await migrate(settings)
    await init_db(settings)
    try:
        await seed_reference_data()
        yield datetime.now(UTC)
    finally:
        await close_db()


@pytest.fixture(autouse=True)
async def clean_database(database: datetime) -> AsyncIterator[None]:
    yield
    connection = connections.get("default")
    disagreements = await rollup.drift(connection)
    assert not disagreements, f"the statistics rollup no longer matches the reports: {disagreements}"
    for table in OPERATIONAL_TABLES:
        await connection.execute_query(f"DELETE FROM {table}")
    await RoutingRule.filter(created_at__gt=database).delete()
    await Agency.filter(created_at__gt=database).update(parent_id=None)
    await Agency.filter(created_at__gt=database).delete()
    reference_cache.clear()  # the deletes above are bulk statements, which no signal reports to the cache


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    """The app without its lifespan (the database is the session's): its store and event bus are opened here."""
    application = create_app(settings)
    async with open_clients(application, settings, workers=False):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="session")
def codec(settings: Settings) -> TokenCodec:
    return token_codec(settings)


# One fixture per role, each a signed-in caller. Officers and agency admins belong to the city traffic police (PC08)
# unless a test makes its own; `other_officer` is staff of another agency, for isolation tests.
@pytest.fixture
async def citizen(codec: TokenCodec) -> Caller:
    return await make_caller(codec, Role.CITIZEN, phone="0912345678")


@pytest.fixture
async def officer(codec: TokenCodec) -> Caller:
    return await make_caller(codec, Role.OFFICER, "PC08")


@pytest.fixture
async def agency_admin(codec: TokenCodec) -> Caller:
    return await make_caller(codec, Role.AGENCY_ADMIN, "PC08")


@pytest.fixture
async def admin(codec: TokenCodec) -> Caller:
    return await make_caller(codec, Role.ADMIN)


@pytest.fixture
async def other_officer(codec: TokenCodec) -> Caller:
    return await make_caller(codec, Role.OFFICER, "CA-00070")


@pytest.fixture
def run_server(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start `phananh serve` processes on this run's database (or `env` overrides); all are stopped afterwards."""
    servers: list[Server] = []

    def start_server(env: dict[str, str] | None = None, migrate: bool = True) -> Server:
        full_env = server_env(
            {"DATABASE_URL": database_url, "VAR_DIR": str(tmp_path / "var"), "PORT": str(free_port()), **(env or {})}
        )
        if migrate:
            for command in (["phananh", "migrate"], ["phananh", "seed"]):
                done = run(command, full_env)
                assert done.returncode == 0, done.stderr
        server = start(["phananh", "serve"], full_env, tmp_path / f"server-{len(servers)}.log")
        servers.append(server)
        return server

    yield start_server
    for server in servers:
        server.stop()
