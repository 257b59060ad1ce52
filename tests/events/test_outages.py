"""Outages of what live events depend on, as an operator lives them: a worker logs an outage of Redis, or of the
database under its relay, once when it starts and once when it ends, backs off meanwhile, and carries on afterwards.

Before: two warnings a second per process for Redis, and a traceback every poll for the database."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis

from tests.helpers.factories import Caller
from tests.helpers.live_env import SUBMITTED, ServerPool
from tests.helpers.reports_api import submitted
from tests.helpers.servers import free_port
from tests.helpers.tcp_proxy import tcp_proxy
from tests.helpers.ws import console

# Long enough that the old behaviour (two warnings a second, a traceback every poll) would log dozens of lines.
OUTAGE_SECONDS = 4
POSTGRES_PORT = 5432


@contextmanager
def redis_server(port: int, directory: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of this test's own on `port`, without persistence; stopped at the end if still running."""
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"redis-server exited with {process.returncode}")
                subprocess.run(["sleep", "0.05"], check=True)
        yield process
    finally:
        client.close()
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def lines_about(log: Path, *words: str) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if any(word in line for word in words)]


async def until_logged(log: Path, last: str, *words: str, within: float = 15) -> list[str]:
    """The lines about `words` once one of them says `last` (or when `within` seconds have passed)."""
    for _ in range(int(within / 0.1)):
        found = lines_about(log, *words)
        if any(last in line for line in found):
            return found
        await asyncio.sleep(0.1)
    return lines_about(log, *words)


async def test_a_worker_logs_a_redis_outage_twice_and_hears_events_again(
    own_servers: ServerPool, tmp_path: Path, citizen: Caller, officer: Caller
) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    with redis_server(port, tmp_path) as first_run:
        server = own_servers.start(EVENTS_URL=f"redis://127.0.0.1:{port}/0")
        async with console(server.url, officer.token) as police, httpx.AsyncClient(base_url=server.url) as http:
            op = await police.subscribe(SUBMITTED)
            first_run.terminate()
            first_run.wait(timeout=10)
            await asyncio.sleep(OUTAGE_SECONDS)
            with redis_server(port, tmp_path):
                # Back: the worker tells its consoles to catch up (complete), and events flow to a new subscription.
                assert (await police.next(op, within=10))["type"] == "complete"
                again = await police.subscribe(SUBMITTED)
                report = await submitted(http, citizen)
                assert (await police.report(again, within=5))["id"] == report["id"]
                about_redis = lines_about(server.log, "Redis", "event bus", "phananh.events")
    assert len(about_redis) == 2, about_redis
    assert "unavailable" in about_redis[0]
    assert "is back after" in about_redis[1]


async def test_a_relay_logs_a_database_outage_twice_and_publishes_again(
    own_servers: ServerPool, db_kind: str, database_url: str, citizen: Caller, officer: Caller
) -> None:
    if db_kind != "postgres":
        pytest.skip("an SQLite file does not go away")
    async with tcp_proxy(POSTGRES_PORT) as proxy:
        through_proxy = database_url.replace(f":{POSTGRES_PORT}/", f":{proxy.port}/", 1)
        assert through_proxy != database_url
        server = own_servers.start(DATABASE_URL=through_proxy)
        async with console(server.url, officer.token) as police, httpx.AsyncClient(base_url=server.url) as http:
            op = await police.subscribe(SUBMITTED)
            await proxy.cut()
            await asyncio.sleep(OUTAGE_SECONDS / 2)  # forty polls of the relay at OUTBOX_POLL_MS=50
            await proxy.restore()
            report = await submitted(http, citizen)
            # Up to the longest backoff (5 s) after the database returns, on a machine busy with both suites.
            assert (await police.report(op, within=20))["id"] == report["id"]
        # The pool may still hand the relay a connection that died with the outage: it backs off once more.
        about_relay = await until_logged(server.log, "is back after", "outbox relay", "services/events/outbox.py")
    assert len(about_relay) == 2, about_relay
    assert "unavailable" in about_relay[0]
    assert "is back after" in about_relay[1]
    assert "asyncpg.pool" not in server.log.read_text()
