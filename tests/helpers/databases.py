"""Scratch databases for tests and benchmarks: created fresh, dropped afterwards, never shared between runs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from tests.helpers.environment import require_service


def _dsn(server_url: str) -> str:
    return server_url.replace("postgres://", "postgresql://", 1)


@asynccontextmanager
async def scratch_postgres(server_url: str, prefix: str = "phananh_test") -> AsyncIterator[str]:
    """A new empty database on the server at `server_url`, as a Tortoise URL. Connection errors propagate (OSError or
    asyncpg.PostgresError), so each caller decides whether a missing server skips, fails or is reported."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_dsn(server_url), timeout=3)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        conn = await asyncpg.connect(_dsn(server_url), timeout=3)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@asynccontextmanager
async def scratch_database(kind: str, server_url: str, directory: Path) -> AsyncIterator[str]:
    """A fresh database of `kind` (`sqlite` in `directory`, or `postgres` on `server_url`)."""
    if kind == "sqlite":
        yield f"sqlite://{directory / 'db.sqlite3'}"
        return
    async with scratch_postgres(server_url) as url:
        yield url


# Tables holding what tests create; reference tables (wards, categories, seeded agencies and rules) are kept.
OPERATIONAL_TABLES = (
    "account_join",
    "notification",
    "zalo_oa_token",
    "handoff",
    "outbox_event",
    "audit_entry",
    "report_event",
    "decision",
    "idempotency_key",
    "media",
    "report_provider",
    "report",
    "report_counter",
    "statistics_rollup",
    "statistics_daily",
    "statistics_response",
    "statistics_cell",
    "refresh_token",
    "identity",
    "otp_challenge",
    "rate_counter",
    '"user"',
)


@asynccontextmanager
async def fresh_database(request: pytest.FixtureRequest, db_kind: str, directory: Path) -> AsyncIterator[str]:
    """A new empty database of this run's kind; a PostgreSQL that does not answer skips, or fails under CI."""
    try:
        async with scratch_database(db_kind, str(request.config.getoption("--pg-url")), directory) as url:
            yield url
    except (OSError, asyncpg.PostgresError) as exc:
        require_service("PostgreSQL", exc)
