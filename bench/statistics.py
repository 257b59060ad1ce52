"""`statistics` at city scale: 1,000,000 reports in a throwaway PostgreSQL database, each service call timed beside
the bare SQL it runs (the very statements and parameters the call executed, recorded as it ran, replayed straight
through asyncpg with the app's connection settings, all at once when there are several); and every field of
`statistics` in one GraphQL request as an ADMIN (the whole city, all time) beside its bare statements. It also
prints the time to rebuild the rollup, what the rollup adds to one write, and the city-wide figures scanned from the
reports instead.

    .venv/bin/python -m bench.statistics [--reports 1000000] [--runs 10] [--keep] [--pg-url postgres://...] [--smoke]

Reports are routed by the live rules (every (category, ward) pair resolved once) and generated in the database by one
`INSERT ... SELECT generate_series` in submission order (as a live table fills), with a status mix close to the
demo's; then the rollup is rebuilt once, as `phananh seed --demo` does after its bulk insert. The database is dropped
at the end unless --keep. `--smoke` (what `make test` runs): 2,000 reports in 12 wards, one run, and the answers
checked (the rollup agrees with the reports; the city totals, from the service and over GraphQL, count every report
loaded).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import statistics as stats
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx
from tortoise import connections
from tortoise.transactions import in_transaction

from api.app import create_app, open_clients
from api.db import POSTGRES_SETTINGS
from api.signin import token_codec
from auth.authentication import ACCOUNT
from auth.principal import Principal
from bench.cli import SMOKE_NOTE, fail, machine, run
from bench.scratch import city_options, scratch_database
from core.clock import HANOI_TIME
from core.settings import Settings
from models.agencies import Agency
from models.enums import Role
from models.reference import Category, Ward
from models.reports import Report
from models.users import User
from services.common.sql import Statement
from services.routing.resolution import resolve_route
from services.statistics import figures as statistics
from services.statistics import rollup, sql
from services.statistics.figures import StatisticsFilter
from services.statistics.tables import SHARDS, TABLES, Interval

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

COUNTERS = "received accepted rejected penalized resolved finesTotalVnd vehiclesImpounded"
# Every field of `statistics`, the three intervals of `series` included, as a console of the whole city asks it.
EVERY_FIELD = f"""
fragment Entry on StatisticsEntry {{ key name {COUNTERS} }}
fragment Bucket on StatisticsBucket {{ start {COUNTERS} }}
query EveryField {{
  statistics {{
    audience {COUNTERS}
    byCategory {{ ...Entry }} byAgency {{ ...Entry }} byWard {{ ...Entry }} byChannel {{ ...Entry }}
    byStatus {{ ...Entry }}
    days: series(interval: DAY) {{ ...Bucket }}
    weeks: series(interval: WEEK) {{ ...Bucket }}
    months: series(interval: MONTH) {{ ...Bucket }}
    responseTimeHours {{ decided median p90 }}
  }}
}}
"""

# The same with one series, as a dashboard asks it.
ONE_SERIES = EVERY_FIELD.replace("query EveryField", "query OneSeries($interval: StatisticsInterval!)").replace(
    """    days: series(interval: DAY) { ...Bucket }
    weeks: series(interval: WEEK) { ...Bucket }
    months: series(interval: MONTH) { ...Bucket }""",
    "    series(interval: $interval) { ...Bucket }",
)

SMOKE_WARDS = 12
BARE_CONNECTIONS = 6  # at least as many as the statements of one GraphQL request
Call = Callable[[], Awaitable[Any]]
Recorded = list[tuple[str, list[Any]]]
# The account read of every authenticated request, as SQLite and PostgreSQL are sent it.
ACCOUNT_READS = frozenset({ACCOUNT, ACCOUNT.replace("?", "$1")})


async def load(database_url: str, reports: int, wards: int | None = None) -> tuple[uuid.UUID, uuid.UUID]:
    """Routes for every (category, ward) by the live rules (of the first `wards` wards only, in a smoke run: one
    query each), then the reports; returns (reporter, PC08) ids."""
    categories = await Category.all()
    rows: list[tuple[object, ...]] = []
    for ward in await Ward.all().order_by("code").limit(wards or 10_000):
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


async def timed(call: Call, runs: int) -> float:
    """Median milliseconds over `runs`, after one warm-up."""
    await call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    return stats.median(samples)


@contextmanager
def recording() -> Iterator[Recorded]:
    """The reads the app runs through Tortoise's connection meanwhile (the statistics statements), with their
    parameters, so that the bare SQL replayed is exactly what the call ran; not the caller's account, which every
    authenticated request reads (`auth.authentication`) and the anchor's figures do not include."""
    client: Any = connections.get("default")
    original = client.execute_query_dict
    recorded: Recorded = []

    async def record(query: str, values: list[Any] | None = None) -> Any:
        if query.lstrip().upper().startswith(("SELECT", "WITH")) and query not in ACCOUNT_READS:
            recorded.append((query, list(values or [])))
        return await original(query, values)

    client.execute_query_dict = record
    try:
        yield recorded
    finally:
        del client.execute_query_dict


@asynccontextmanager
async def graphql_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in this process on this process's database connections, as the tests build it."""
    app = create_app(settings)
    async with (
        open_clients(app, settings, workers=False),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):
        yield client


async def compare(
    database_url: str, settings: Settings, agency_id: uuid.UUID, runs: int
) -> list[tuple[str, float, float]]:
    admin = Principal(uuid.uuid4(), Role.ADMIN)
    officer = Principal(uuid.uuid4(), Role.OFFICER, agency_id)
    year = StatisticsFilter(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    days = StatisticsFilter(date_from=date(2025, 3, 15), date_to=date(2025, 8, 20))
    ward = StatisticsFilter(ward_code="00070")
    city = statistics.resolve_scope(admin, StatisticsFilter())
    admin_user = await User.create(role=Role.ADMIN, username=f"bench-admin-{uuid.uuid4().hex[:8]}")
    token = token_codec(settings).issue(Principal.of(admin_user)).token
    officer_user = await User.create(
        role=Role.OFFICER, username=f"bench-officer-{uuid.uuid4().hex[:8]}", agency_id=agency_id
    )
    officer_token = token_codec(settings).issue(Principal.of(officer_user)).token
    async with (
        asyncpg.create_pool(
            database_url.replace("postgres://", "postgresql://", 1),
            min_size=BARE_CONNECTIONS,
            max_size=BARE_CONNECTIONS,
            server_settings=POSTGRES_SETTINGS,
        ) as pool,
        graphql_client(settings) as client,
    ):

        def graphql(query: str, bearer: str, **variables: str) -> Call:
            async def request() -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {bearer}"},
                )
                body: dict[str, Any] = response.json()
                if response.status_code != 200 or body.get("errors"):
                    fail(f"statistics over GraphQL answered {response.status_code}: {str(body)[:1000]}")
                return body

            return request

        every_field = graphql(EVERY_FIELD, token)
        by_week, by_day = graphql(ONE_SERIES, token, interval="WEEK"), graphql(ONE_SERIES, token, interval="DAY")
        officer_by_week = graphql(ONE_SERIES, officer_token, interval="WEEK")
        cases: list[tuple[str, Call]] = [
            ("city totals + 5 breakdowns, all time", lambda: statistics.summarize(admin, StatisticsFilter())),
            ("city totals + 5 breakdowns, 2025", lambda: statistics.summarize(admin, year)),
            ("city totals + 5 breakdowns, 15 Mar - 20 Aug 2025", lambda: statistics.summarize(admin, days)),
            ("agency PC08 totals + 5 breakdowns", lambda: statistics.summarize(officer, StatisticsFilter())),
            ("ward 00070 totals + 5 breakdowns", lambda: statistics.summarize(admin, ward)),
            ("city series by month", lambda: statistics.series(city, Interval.MONTH)),
            ("city series by week", lambda: statistics.series(city, Interval.WEEK)),
            ("city series by day", lambda: statistics.series(city, Interval.DAY)),
            ("city response times", lambda: statistics.response_times(city)),
            ("every field, series by week, one GraphQL request (ADMIN, city, all time)", by_week),
            ("every field, series by day, one GraphQL request (ADMIN, city, all time)", by_day),
            ("every field, series by week, one GraphQL request (OFFICER of PC08, all time)", officer_by_week),
            ("every field of `statistics`, one GraphQL request (ADMIN, city, all time)", every_field),
        ]
        results = []
        for label, call in cases:
            with recording() as recorded:
                await call()
            if not recorded:
                fail(f"{label}: no statement was recorded, so there is no bare SQL to compare with")
            results.append((label, await timed(call, runs), await timed(replay(pool, recorded), runs)))
        scanned = statistics.plan("postgres", city, None)
        for label, statement in (
            ("city totals + 5 breakdowns", sql.summary(scanned)),
            ("city series by day", sql.series(scanned, Interval.DAY)),
            ("city response times", sql.response_times(scanned)),
        ):
            scan = await timed(bare(pool, statement), runs)
            print(f"{label} scanned from the reports instead: {scan:.0f} ms", file=sys.stderr)
        return results


def replay(pool: asyncpg.Pool, recorded: Recorded) -> Call:
    """The statements at once, each on a connection of its own, as the app runs the resolvers of one request (and
    PostgreSQL can use both cores); a single statement is simply run."""

    async def statements() -> None:
        await asyncio.gather(*(pool.fetch(query, *values) for query, values in recorded))

    return statements


def bare(pool: asyncpg.Pool, statement: Statement) -> Call:
    return lambda: pool.fetch(statement.sql, *statement.params)


async def check(settings: Settings, reports: int) -> None:
    """The answers, not the times: the rollup agrees with the reports, and the city's totals count every report, from
    the rollup, from the reports and over GraphQL alike."""
    connection = connections.get("default")
    if disagreements := await rollup.drift(connection):
        fail(f"the rollup disagrees with the reports: {disagreements}")
    admin = Principal(uuid.uuid4(), Role.ADMIN)
    summary = await statistics.summarize(admin, StatisticsFilter())
    scanned = sql.summary(statistics.plan("postgres", statistics.resolve_scope(admin, StatisticsFilter()), None))
    rows = await connection.execute_query_dict(scanned.sql, list(scanned.params))
    from_reports = next(int(row["received"]) for row in rows if row["dimension"] == "total")
    if summary.totals.received != reports or from_reports != reports:
        fail(f"{reports} reports loaded, the rollup counts {summary.totals.received}, the reports {from_reports}")
    admin_user = await User.create(role=Role.ADMIN, username=f"bench-check-{uuid.uuid4().hex[:8]}")
    token = token_codec(settings).issue(Principal.of(admin_user)).token
    async with graphql_client(settings) as client:
        response = await client.post(
            "/graphql", json={"query": EVERY_FIELD}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    if body.get("errors"):
        fail(f"statistics over GraphQL answered errors: {str(body)[:1000]}")
    figures = body["data"]["statistics"]
    if figures["received"] != reports or sum(bucket["received"] for bucket in figures["days"]) != reports:
        fail(f"{reports} reports loaded, GraphQL counts {figures['received']} (days: {len(figures['days'])})")
    if not figures["responseTimeHours"]["decided"]:
        fail("GraphQL says no report was ever decided")


async def percentiles_against_exact() -> str:
    """The city's response-time percentiles as `statistics` gives them (from whole hours) beside the exact ones over
    the reports; fails if one is an hour or more off, the bound the README states."""
    given = await statistics.response_times(
        statistics.resolve_scope(Principal(uuid.uuid4(), Role.ADMIN), StatisticsFilter())
    )
    rows = await connections.get("default").execute_query_dict(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h) AS median, "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY h) AS p90 FROM (SELECT EXTRACT(EPOCH FROM "
        "(first_decided_at - submitted_at)) / 3600.0 AS h FROM report WHERE first_decided_at IS NOT NULL) t"
    )
    exact = (float(rows[0]["median"]), float(rows[0]["p90"]))
    estimated = (given.median_hours, given.p90_hours)
    if None in estimated or any(abs(e - x) >= 1 for e, x in zip(estimated, exact, strict=True) if e is not None):
        fail(f"response-time percentiles {estimated} are not within an hour of the exact {exact}")
    return (
        f"response times over {given.decided:,} decided reports: median {given.median_hours} h (exact {exact[0]:.3f}), "
        f"p90 {given.p90_hours} h (exact {exact[1]:.3f})"
    )


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


class Connection:
    """An asyncpg connection as `rollup.apply` uses a Tortoise one (its dialect, `execute_query`, `execute_many`),
    so that the contention test is not limited by Tortoise's pool of 5 connections."""

    @dataclasses.dataclass
    class Capabilities:
        dialect: str = "postgres"

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.capabilities = self.Capabilities()

    async def execute_many(self, query: str, values: list[list[Any]]) -> None:
        await self.connection.executemany(query, values)

    async def execute_query(self, query: str, values: list[Any]) -> None:
        await self.connection.execute(query, *values)


async def contention(database_url: str, writers: int, each: int, *, sharded: bool) -> float:
    """Rollup writes per second with `writers` transactions at once, each adding a report submitted today to the
    rollups and taking it out again (net nothing), as concurrent submissions touch today's rows; with `sharded`
    False every write goes to shard 0, one hot row per grain, as before the rollups had shards."""
    report = await Report.first()
    assert report is not None
    today = datetime.now(HANOI_TIME).date()
    base = dataclasses.replace(rollup.Facts.of_report(report), day=today)

    async def writer(pool: asyncpg.Pool) -> None:
        async with pool.acquire() as connection:
            adapted: Any = Connection(connection)
            for _ in range(each):
                facts = dataclasses.replace(base, shard=random.randrange(SHARDS) if sharded else 0)
                async with connection.transaction():
                    await rollup.apply(adapted, None, facts)
                    await rollup.apply(adapted, facts, None)

    async with asyncpg.create_pool(
        database_url.replace("postgres://", "postgresql://", 1), min_size=writers, max_size=writers
    ) as pool:
        began = time.perf_counter()
        await asyncio.gather(*(writer(pool) for _ in range(writers)))
        return writers * each / (time.perf_counter() - began)


async def main(reports: int, runs: int, server_url: str, keep: bool, smoke: bool) -> None:
    async with scratch_database(server_url, keep) as scratch:
        database_url, settings = scratch.database_url, scratch.settings
        began = time.perf_counter()
        _, pc08 = await load(database_url, reports, SMOKE_WARDS if smoke else None)
        print(f"loaded {reports:,} reports in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        began = time.perf_counter()
        async with in_transaction() as connection:
            rows = await rollup.rebuild(connection)
        print(f"rebuilt the rollups: {rows:,} rows in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        for table in TABLES:
            counted = await connections.get("default").execute_query_dict(f"SELECT COUNT(*) AS n FROM {table.name}")
            print(f"  {table.name}: {counted[0]['n']:,} rows", file=sys.stderr)
        print(await percentiles_against_exact(), file=sys.stderr)
        if smoke:
            await check(settings, reports)
        print(f"rollup upkeep per report write: {await upkeep(runs * 5):.1f} ms", file=sys.stderr)
        writers, writes = (4, 2) if smoke else (20, 50)
        one_row, sharded = (
            await contention(database_url, writers, writes, sharded=False),
            await contention(database_url, writers, writes, sharded=True),
        )
        print(
            f"rollup writes, {writers} transactions at once: {sharded:.0f}/s over {SHARDS} shards, "
            f"{one_row:.0f}/s on one row per grain",
            file=sys.stderr,
        )
        results = await compare(database_url, settings, pc08, runs)
        print(machine())
        if smoke:
            print(SMOKE_NOTE)
        print(f"| query ({reports:,} reports, PostgreSQL) | service ms | bare SQL ms | ratio |")
        print("|---|---:|---:|---:|")
        for label, service_ms, raw_ms in results:
            print(f"| {label} | {service_ms:.1f} | {raw_ms:.1f} | {service_ms / raw_ms:.2f} |")


if __name__ == "__main__":
    options = city_options(__doc__, runs=10, smoke_runs=1)
    run(main(options.reports, options.runs, options.pg_url, options.keep, options.smoke))
