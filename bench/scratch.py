"""What the benchmarks on a city of a million reports share: a scratch PostgreSQL database of their own, migrated and
holding the reference data, and the command line that sizes it."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from api.db import close_db, init_db, migrate
from bench.cli import parser
from core.settings import Settings
from services.reference.seed import seed_reference_data

SMOKE_REPORTS = 2_000


@dataclass(frozen=True)
class Scratch:
    database_url: str
    settings: Settings


@asynccontextmanager
async def scratch_database(server_url: str, keep: bool) -> AsyncIterator[Scratch]:
    """The database, with Tortoise connected to it; dropped afterwards (and its media directory removed) unless
    `keep`, for EXPLAINing its queries later."""
    name = f"phananh_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    database_url = f"{server_url.rsplit('/', 1)[0]}/{name}"
    var = Path(tempfile.mkdtemp(prefix="phananh-bench-"))
    settings = Settings.from_env(
        {"APP_ENV": "test", "DATABASE_URL": database_url, "VAR_DIR": str(var), "STORAGE_URL": f"file://{var}/media"}
    )
    try:
        await migrate(settings)
        await init_db(settings)
        await seed_reference_data()
        yield Scratch(database_url, settings)
    finally:
        await close_db()
        if keep:
            print(f"kept the database: {database_url}", file=sys.stderr)
        else:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(var, ignore_errors=True)


def city_options(doc: str | None, runs: int, smoke_runs: int) -> argparse.Namespace:
    """`--reports`, `--runs` and `--keep` beside the common options; `--smoke` makes the city and the runs tiny."""
    described = parser(doc)
    described.add_argument("--reports", type=int, default=1_000_000)
    described.add_argument("--runs", type=int, default=runs)
    described.add_argument("--keep", action="store_true", help="keep the database afterwards, to EXPLAIN its queries")
    options = described.parse_args()
    if options.smoke:
        options.reports, options.runs = SMOKE_REPORTS, smoke_runs
    return options
