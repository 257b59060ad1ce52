"""`phananh seed --demo` on a fresh database, then the published figures from a served API, as the issue demands;
and `phananh rebuild-statistics`, which checks and repairs the rollup those figures are read from.

It builds its own SQLite file whichever `--db` the suite runs on, so it runs once per `make test` (under sqlite).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.helpers.servers import free_port, run, server_env, start

STATISTICS = {"query": "{ statistics { audience received accepted penalized finesTotalVnd vehiclesImpounded } }"}


def test_seed_demo_then_statistics_from_the_server(db_kind: str, tmp_path: Path) -> None:
    if db_kind != "sqlite":
        pytest.skip("runs on its own SQLite file: once, in the sqlite run")
    env = server_env(
        {"DATABASE_URL": f"sqlite://{tmp_path / 'demo.sqlite3'}", "VAR_DIR": str(tmp_path), "PORT": str(free_port())}
    )
    assert run(["phananh", "migrate"], env).returncode == 0
    seeded = run(["phananh", "seed", "--demo"], env)
    assert seeded.returncode == 0, seeded.stderr
    assert "16000 reports, 4758 accepted, 3161 penalized" in seeded.stdout
    again = run(["phananh", "seed", "--demo", "--seed", "5"], env)
    assert "demo data: already present (16000 reports)" in again.stdout
    check_and_repair_the_rollup(env, tmp_path / "demo.sqlite3")
    server = start(["phananh", "serve"], env, tmp_path / "serve.log")
    try:
        figures = httpx.post(f"{server.url}/graphql", json=STATISTICS, timeout=10).json()["data"]["statistics"]
    finally:
        server.stop()
    assert figures["audience"] == "PUBLIC"
    assert (figures["received"], figures["accepted"], figures["penalized"]) == (16_000, 4_758, 3_161)
    assert figures["finesTotalVnd"] > 4_000_000_000
    assert figures["vehiclesImpounded"] == 132


def check_and_repair_the_rollup(env: dict[str, str], database: Path) -> None:
    check = ["phananh", "rebuild-statistics", "--check"]
    agrees = run(check, env)
    assert agrees.returncode == 0, agrees.stderr
    assert "agrees with the reports" in agrees.stdout
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE statistics_rollup SET received = received + 1 WHERE grain = 0")
    broken = run(check, env)
    assert broken.returncode == 1
    assert "disagrees with the reports" in broken.stderr
    assert "'side': 'rollup', 'grain': 0" in broken.stdout
    rebuilt = run(["phananh", "rebuild-statistics"], env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "statistics rollup rebuilt" in rebuilt.stdout
    assert run(check, env).returncode == 0
