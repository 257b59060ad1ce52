"""Every benchmark in its smoke mode (tiny sizes, every answer checked, no timing asserted), so that none rots
between the runs that measure: each runs as the README says, `python -m bench.<name> --smoke`, on scratch databases
of its own on this run's PostgreSQL server.

They run in the PostgreSQL run only: the benchmarks measure PostgreSQL, and once per `make test` is enough. All of
them start at once (each has its own databases, ports and Redis channel) and each test waits for its own, so the
run pays for the slowest rather than for the sum: mostly servers starting and databases being built.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bench.cli import SMOKE_NOTE
from bench.reports import check_same
from tests.helpers.live_env import REDIS_URL, require_redis
from tests.helpers.servers import REPO, server_env

SMOKE_SECONDS = 100
BENCHMARKS = {
    "reports": ["bench.reports"],
    "live": ["bench.live"],
    "live-two-workers-redis": ["bench.live", "--workers", "2", "--events-url", REDIS_URL],
    "submissions": ["bench.submissions"],
    "statistics": ["bench.statistics"],
    "search": ["bench.search"],
    "hotspots": ["bench.hotspots"],
    "observability": ["bench.observability"],
}


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(scope="module")
def smoke_runs(
    db_kind: str, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[subprocess.Popen[bytes], Path]]]:
    """Every benchmark's smoke run, started at once: its process and the file its output goes to."""
    if db_kind != "postgres":
        pytest.skip("the benchmarks' smoke runs belong to the PostgreSQL run (once per make test)")
    pg_url = str(pytestconfig.getoption("--pg-url"))
    directory = tmp_path_factory.mktemp("bench")
    runs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for name, command in BENCHMARKS.items():
        if REDIS_URL in command and not redis_answers():
            continue
        output = directory / f"{name}.txt"
        with output.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", *command, "--smoke", "--pg-url", pg_url],
                env=server_env({}),
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        runs[name] = (process, output)
    yield runs
    for process, _ in runs.values():
        if process.poll() is None:
            process.terminate()  # the benchmark then stops its servers and drops its databases
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_runs_in_smoke_mode(name: str, smoke_runs: dict[str, tuple[subprocess.Popen[bytes], Path]]) -> None:
    if name not in smoke_runs:
        require_redis()
    process, output = smoke_runs[name]
    returncode = process.wait(timeout=SMOKE_SECONDS)
    printed = output.read_text()
    assert returncode == 0, printed
    assert SMOKE_NOTE in printed
    assert "| --- |" in printed or "|---|" in printed, printed


def test_the_reports_benchmark_refuses_an_anchor_that_answers_differently() -> None:
    """The ratio means something only if the anchor serves the API's very answer: one field off fails the run."""
    api: dict[str, Any] = {"data": {"reports": {"edges": [{"node": node(n)} for n in range(20)], "pageInfo": {}}}}
    check_same(api, copy.deepcopy(api), "in the test")
    anchor = copy.deepcopy(api)
    anchor["data"]["reports"]["edges"][7]["node"]["decisions"] = []
    with pytest.raises(SystemExit, match="the anchor's JSON differs from the API's"):
        check_same(api, anchor, "in the test")
    api["data"]["reports"]["edges"].pop()
    with pytest.raises(SystemExit, match="is not 20 reports of PC08"):
        check_same(api, copy.deepcopy(api), "in the test")


def node(n: int) -> dict[str, Any]:
    return {"id": str(n), "agency": {"code": "PC08"}, "media": [{"id": "m"}], "decisions": [{"id": "d"}]}
