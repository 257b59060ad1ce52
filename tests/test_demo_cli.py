"""`phananh seed --demo` on a fresh database, then the published figures from a served API, as the issue demands.

It builds its own SQLite file whichever `--db` the suite runs on, so it runs once per `make test` (under sqlite).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, run, server_env, start

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
    server = start(["phananh", "serve"], env, tmp_path / "serve.log")
    try:
        figures = httpx.post(f"{server.url}/graphql", json=STATISTICS, timeout=10).json()["data"]["statistics"]
    finally:
        server.stop()
    assert figures["audience"] == "PUBLIC"
    assert (figures["received"], figures["accepted"], figures["penalized"]) == (16_000, 4_758, 3_161)
    assert figures["finesTotalVnd"] > 4_000_000_000
    assert figures["vehiclesImpounded"] == 132
