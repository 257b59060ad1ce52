"""The server's PostgreSQL pool: a connection goes back without asyncpg's reset query (one round trip fewer per
statement, `api.db.PooledConnection`), and what a reset must still undo is undone."""

from __future__ import annotations

import httpx
import pytest
from tortoise import connections

from api.db import PooledConnection
from models.enums import ReportStatus
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import gql, only_data

PAGE = "query { reports(first: 5) { edges { node { code } } } }"


async def test_pooled_connections_go_back_without_the_reset_round_trip(
    db_kind: str, client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    if db_kind != "postgres":
        pytest.skip("the pool is asyncpg's")
    await make_report(citizen.user, status=ReportStatus.ASSIGNED, assignee=officer.user)
    assert only_data(await gql(client, PAGE, {}, officer.token))["reports"]["edges"]
    pool = connections.get("default")._pool
    async with pool.acquire() as connection:
        assert isinstance(connection, PooledConnection)
        assert connection.get_reset_query() == ""


async def test_a_transaction_left_open_is_rolled_back_on_release(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("the pool is asyncpg's")
    pool = connections.get("default")._pool
    connection = await pool.acquire()
    backend = await connection.fetchval("SELECT pg_backend_pid()")
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("CREATE TEMPORARY TABLE left_open (n int)")
    await pool.release(connection)
    async with pool.acquire() as again:
        if await again.fetchval("SELECT pg_backend_pid()") != backend:
            pytest.skip("the pool handed out another connection")
        assert not again.is_in_transaction()
        assert await again.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
