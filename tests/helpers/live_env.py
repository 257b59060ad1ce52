"""Servers and callers for the live tests: real `phananh serve` processes on this run's database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.helpers.environment import require_service
from tests.helpers.servers import Server, free_port, server_env, start

REDIS_PORT = 6379
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
DEAD_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

SUBMITTED = "subscription($agency: ID) { reportSubmitted(agencyId: $agency) { id code status agency { code } } }"
SET_ACTIVE = "mutation($id: ID!, $active: Boolean!) { setUserActive(userId: $id, active: $active) { id active } }"
UPDATED = """
subscription($id: ID!) {
  reportUpdated(reportId: $id) { id status decisions { outcome responseToCitizen } timeline { kind } }
}
"""


def require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as exc:
        require_service("Redis", exc)


class ServerPool:
    """Starts servers on one database; each `start` is a separate process, all stopped at the end."""

    def __init__(self, database_url: str, directory: Path) -> None:
        self.database_url = database_url
        self.directory = directory
        self.servers: list[Server] = []

    def env(self, **overrides: str) -> dict[str, str]:
        return server_env(
            {
                "DATABASE_URL": self.database_url,
                "VAR_DIR": str(self.directory / "var"),
                "PORT": str(free_port()),
                "LOG_LEVEL": "WARNING",
                "OUTBOX_POLL_MS": "50",
                **overrides,
            }
        )

    def start(self, **overrides: str) -> Server:
        server = start(["phananh", "serve"], self.env(**overrides), self.directory / f"server-{len(self.servers)}.log")
        self.servers.append(server)
        return server

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture(scope="module")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """Servers shared by a module's tests."""
    pool = ServerPool(database_url, tmp_path_factory.mktemp("live"))
    yield pool
    pool.stop()


@pytest.fixture
def own_servers(database_url: str, tmp_path: Path) -> Iterator[ServerPool]:
    """Servers of one test, stopped after it: no other worker's relay may run meanwhile."""
    pool = ServerPool(database_url, tmp_path)
    yield pool
    pool.stop()


def channel() -> str:
    """A channel of its own per test run, so parallel runs on one Redis never hear each other."""
    return f"phananh-test-{uuid.uuid4().hex[:12]}"
