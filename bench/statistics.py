"""`statistics` at city scale: 1,000,000 reports in a throwaway PostgreSQL database, the service call timed beside
the bare SQL it runs (same statements, same parameters, straight through asyncpg). It also prints the time to
rebuild the rollup, what the rollup adds to one write, and the city-wide figures scanned from the reports instead.

    .venv/bin/python -m bench.statistics [--reports 1000000] [--runs 10] [--keep] [--pg-url postgres://...]

Reports are routed by the live rules (every (category, ward) pair resolved once) and generated in the database by one
`INSERT ... SELECT generate_series` in submission order (as a live table fills), with a status mix close to the
demo's; then the rollup is rebuilt once, as `phananh seed --demo` does after its bulk insert. The database is dropped
at the end unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics as stats
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from tortoise.transactions import in_transaction

from api.db import POSTGRES_SETTINGS, close_db, init_db, migrate
from auth.principal import Principal
from core.settings import Settings
from models.agencies import Agency
from models.enums import Role
from models.reference import Category, Ward
from models.reports import Report
from models.users import User
from services.common.sql import Statement
from services.reference.seed import seed_reference_data
from services.routing.resolution import resolve_route
from services.statistics import figures as statistics
from services.statistics import rollup, sql
from services.statistics.figures import StatisticsFilter

LOAD = """
INSERT INTO report (id, code, status, category_id, description, occurred_at, submitted_at, updated_at, address,
    ward_id, channel, reporter_id, agency_id, routing_rule_id, due_at, accepted_at, first_decided_at, closed_at,
    fine_amount_vnd, vehicle_impounded)
SELECT gen_random_uuid(), 'PB-' || x.g, x.status, r.category_id, 'bench', x.t, x.t, x.t, '', r.ward_id,
    CASE WHEN x.u3 < 0.58 THEN 'ZALO' WHEN x.u3 < 0.94 THEN 'IHANOI' ELSE 'WEB' END, $1, r.agency_id, r.rule_id,
    x.t + INTERVAL '72 hours',
    CASE WHEN x.status IN ('ACCEPTED', 'PENALIZED') OR (x.status = 'RESOLVED' AND x.u4 < 0.5) THEN x.decided END,
    CASE WHEN x.status NOT IN ('ROUTED', 'ASSIGNED') THEN x.decided END,
    CASE WHEN x.status IN ('REJECTED', 'PENALIZED', 'RESOLVED') THEN x.decided + INTERVAL '48 hours' END,
    CASE WHEN x.status = 'PENALIZED' THEN 400000 + floor(x.u4 * 40) * 100000 END,
    x.status = 'PENALIZED' AND x.u4 < 0.04
FROM (
    SELECT g, u3, u4, t, t + (u4 * u4 * 300) * INTERVAL '1 hour' AS decided,
        CASE WHEN u2 < 0.025 THEN 'ROUTED' WHEN u2 < 0.05 THEN 'ASSIGNED' WHEN u2 < 0.075 THEN 'ACCEPTED'
             WHEN u2 < 0.27 THEN 'PENALIZED' WHEN u2 < 0.33 THEN 'RESOLVED' ELSE 'REJECTED' END AS status,
        1 + floor(u1 * $2)::int AS route
    FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4,
                 TIMESTAMPTZ '2023-01-01 00:00:00+07' + random() * INTERVAL '1400 days' AS t
          FROM generate_series(1, $3::int) g) s
) x JOIN bench_route r ON r.n = x.route
ORDER BY x.t
"""


async def load(database_url: str, reports: int) -> tuple[uuid.UUID, uuid.UUID]:
    """Routes for every (category, ward) by the live rules, then the reports; returns (reporter, PC08) ids."""
    categories = await Category.all()
    rows: list[tuple[object, ...]] = []
    for ward in await Ward.all():
        for category in categories:
            route = await resolve_route(category, ward.code)
            if route is not None:
                rows.append((len(rows) + 1, category.code, ward.code, route.agency.id, route.rule.id))
    reporter = await User.create(role=Role.CITIZEN, username="bench-citizen")
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(
            "CREATE TEMP TABLE bench_route (n int PRIMARY KEY, category_id text, ward_id text, agency_id uuid, "
            "rule_id uuid)"
        )
        await conn.copy_records_to_table("bench_route", records=rows)
        await conn.execute(LOAD, reporter.id, len(rows), reports)
        await conn.execute("VACUUM ANALYZE report")
    finally:
        await conn.close()
    return reporter.id, (await Agency.get(code="PC08")).id


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> float:
    """Median milliseconds over `runs`, after one warm-up."""
    await call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    return stats.median(samples)


Call = Callable[[], Awaitable[Any]]
Case = tuple[str, Call, Call]


async def compare(database_url: str, agency_id: uuid.UUID, runs: int) -> list[tuple[str, float, float]]:
    admin = Principal(uuid.uuid4(), Role.ADMIN)
    officer = Principal(uuid.uuid4(), Role.OFFICER, agency_id)
    year = StatisticsFilter(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    days = StatisticsFilter(date_from=date(2025, 3, 15), date_to=date(2025, 8, 20))
    ward = StatisticsFilter(ward_code="00070")
    city = statistics.resolve_scope(admin, StatisticsFilter())
    conn = await asyncpg.connect(
        database_url.replace("postgres://", "postgresql://", 1), server_settings=POSTGRES_SETTINGS
    )

    def bare(statement: Statement) -> Call:
        return lambda: conn.fetch(statement.sql, *statement.params)

    def summary(label: str, principal: Principal, wanted: StatisticsFilter) -> Case:
        scope = statistics.resolve_scope(principal, wanted)
        return (
            label,
            lambda: statistics.summarize(principal, wanted),
            bare(sql.summary(statistics.plan("postgres", scope))),
        )

    cases: list[Case] = [
        summary("city totals + 5 breakdowns, all time", admin, StatisticsFilter()),
        summary("city totals + 5 breakdowns, 2025", admin, year),
        summary("city totals + 5 breakdowns, 15 Mar - 20 Aug 2025", admin, days),
        summary("agency PC08 totals + 5 breakdowns", officer, StatisticsFilter()),
        summary("ward 00070 totals + 5 breakdowns (reads the reports)", admin, ward),
        (
            "city series by month",
            lambda: statistics.series(city, sql.Interval.MONTH),
            bare(sql.series(statistics.plan("postgres", city), sql.Interval.MONTH)),
        ),
        (
            "city series by week (reads the reports)",
            lambda: statistics.series(city, sql.Interval.WEEK),
            bare(sql.series(statistics.plan("postgres", city, rollup=False), sql.Interval.WEEK)),
        ),
        (
            "city response times (reads the reports)",
            lambda: statistics.response_times(city),
            bare(sql.response_times(statistics.plan("postgres", city, rollup=False))),
        ),
    ]
    try:
        results = [(name, await timed(service, runs), await timed(raw, runs)) for name, service, raw in cases]
        scan = await timed(bare(sql.summary(statistics.plan("postgres", city, rollup=False))), runs)
        print(f"city totals + 5 breakdowns scanned from the reports: {scan:.0f} ms", file=sys.stderr)
        return results
    finally:
        await conn.close()


async def upkeep(runs: int) -> float:
    """Median milliseconds the rollup adds to one write: a report's rows in, then out again (net nothing)."""
    report = await Report.first()
    assert report is not None
    facts = rollup.Facts.of_report(report)
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        async with in_transaction() as connection:
            await rollup.apply(connection, None, facts)
        async with in_transaction() as connection:
            await rollup.apply(connection, facts, None)
        samples.append((time.perf_counter() - began) * 500)
    return stats.median(samples)


async def main(reports: int, runs: int, server_url: str, keep: bool) -> None:
    name = f"phananh_bench_{uuid.uuid4().hex[:10]}"
    admin_conn = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    database_url = f"{server_url.rsplit('/', 1)[0]}/{name}"
    var = Path(tempfile.mkdtemp(prefix="phananh-bench-"))
    settings = Settings.from_env(
        {"APP_ENV": "test", "DATABASE_URL": database_url, "VAR_DIR": str(var), "STORAGE_URL": f"file://{var}/media"}
    )
    try:
        await migrate(settings)
        await init_db(settings)
        await seed_reference_data()
        began = time.perf_counter()
        _, pc08 = await load(database_url, reports)
        print(f"loaded {reports:,} reports in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        began = time.perf_counter()
        async with in_transaction() as connection:
            rows = await rollup.rebuild(connection)
        print(f"rebuilt the rollup: {rows:,} rows in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        print(f"rollup upkeep per report write: {await upkeep(runs * 5):.1f} ms", file=sys.stderr)
        results = await compare(database_url, pc08, runs)
        await close_db()
        print(f"| query ({reports:,} reports, PostgreSQL) | service ms | bare SQL ms | ratio |")
        print("|---|---:|---:|---:|")
        for label, service_ms, raw_ms in results:
            print(f"| {label} | {service_ms:.1f} | {raw_ms:.1f} | {service_ms / raw_ms:.2f} |")
    finally:
        await close_db()
        if keep:
            print(f"kept the database: {database_url}", file=sys.stderr)
        else:
            await admin_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin_conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards, to EXPLAIN its queries")
    options = parser.parse_args()
    asyncio.run(main(options.reports, options.runs, options.pg_url, options.keep))
