"""The Tortoise configuration, built from settings; shared by the server, the CLI, migrations and tests."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations

from core.settings import Settings
from models import MODEL_MODULES

T = TypeVar("T")

logger = logging.getLogger("phananh.db")


# PostgreSQL's JIT compiler starts when a plan's estimated cost crosses a threshold, which the statistics queries
# (short reads over the rollup and indexes) often do: compiling then costs 30-50 ms, more than running them.
POSTGRES_SETTINGS = {"jit": "off"}


class PooledConnection(asyncpg.Connection):
    """A pooled connection handed back without asyncpg's reset query (`SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`): Tortoise takes a connection from the pool for each statement outside a transaction, so
    that query was a second round trip for every statement of a page. It undoes session state this API never leaves
    on a pooled connection: its settings are the pool's `server_settings`, the relay LISTENs on a connection of its
    own, and it holds no advisory lock or cursor. asyncpg still rolls back a transaction left open on release."""

    def get_reset_query(self) -> str:
        return ""


def tortoise_config(database_url: str, statement_timeout_ms: int = 0) -> dict[str, Any]:
    """`statement_timeout_ms` (PostgreSQL only; 0 for none) stops any one statement that runs longer."""
    connection: str | dict[str, Any] = database_url
    if database_url.startswith(("postgres://", "postgresql://")):
        connection = expand_db_url(database_url)
        server_settings = dict(POSTGRES_SETTINGS)
        if statement_timeout_ms:
            server_settings["statement_timeout"] = str(statement_timeout_ms)
        connection["credentials"]["server_settings"] = server_settings
        connection["credentials"]["connection_class"] = PooledConnection
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_directory(database_url: str) -> None:
    """aiosqlite waits forever instead of failing when the file's directory is missing, so make it first."""
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://").split("?", 1)[0]).parent.mkdir(parents=True, exist_ok=True)


async def init_db(settings: Settings, *, statement_timeout_ms: int = 0) -> None:
    """Connect Tortoise for this process.

    The global fallback lets request tasks use the connections opened by uvicorn's lifespan task. The server passes
    `DB_STATEMENT_TIMEOUT_MS`, so that no request holds a connection and the database for long; the CLI does not, as
    its maintenance statements (`rebuild-statistics`: one INSERT of about 25 s over a million reports) run longer.
    """
    ensure_sqlite_directory(settings.database_url)
    config = tortoise_config(settings.database_url, statement_timeout_ms)
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """`work` with the database open, for a command that runs once and exits."""
    await init_db(settings)
    try:
        return await work()
    finally:
        await close_db()


async def migrate(settings: Settings) -> None:
    """Apply every pending migration in `models/migrations`."""
    ensure_sqlite_directory(settings.database_url)
    try:
        await run_migrations(config=tortoise_config(settings.database_url), progress=_log_progress)
    finally:
        await Tortoise.close_connections()


def __getattr__(name: str) -> dict[str, Any]:
    """`TORTOISE_ORM` for Tortoise's own CLI (`tortoise makemigrations`), built only when that CLI asks for it."""
    if name == "TORTOISE_ORM":
        return tortoise_config(Settings.from_env().database_url)
    raise AttributeError(name)


def _log_progress(event: str, app_label: str, name: str) -> None:
    logger.info("migration %s.%s: %s", app_label, name, event.replace("_", " "))
