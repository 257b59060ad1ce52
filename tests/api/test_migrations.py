"""Migrations are code: they build the whole schema from zero on this run's database, and match the models."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from api.db import tortoise_config

EXPECTED_TABLES = {
    "ward",
    "category",
    "agency",
    "agency_ward",
    "agency_category",
    "routing_rule",
    "user",
    "identity",
    "refresh_token",
    "otp_challenge",
    "media",
    "report",
    "idempotency_key",
    "decision",
    "report_event",
}


async def test_migrations_built_every_table(db_kind: str) -> None:
    connection = connections.get("default")
    if db_kind == "sqlite":
        rows = await connection.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row["name"] for row in rows}
    else:
        rows = await connection.execute_query_dict("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {row["tablename"] for row in rows}
    assert tables >= EXPECTED_TABLES
    applied = await connection.execute_query_dict("SELECT name FROM tortoise_migrations")
    assert "0001_initial" in {row["name"] for row in applied}


async def test_models_and_migrations_agree(database_url: str) -> None:
    """A model change without its migration fails here, before it fails in production."""
    config = tortoise_config(database_url)
    apps = Tortoise.apps
    assert apps is not None
    detector = MigrationAutodetector(apps, config["apps"])
    assert await detector.changes() == []
