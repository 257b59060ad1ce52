"""The staff's search at city scale: 1,000,000 reports in a throwaway PostgreSQL database, an OFFICER of PC08 (the
city traffic police, the agency with the most reports) searching its reports through GraphQL, each kind of search
timed (p50, p95) beside the bare SQL the request ran (the very statements and parameters, recorded as it ran and
replayed straight through asyncpg), and the plan PostgreSQL chose for the page's statement.

    .venv/bin/python -m bench.search [--reports 1000000] [--runs 40] [--keep] [--pg-url postgres://...] [--smoke]

Reports are routed by the live rules (every (category, ward) pair resolved once) and generated in the database by one
`INSERT ... SELECT generate_series`: a description made of the category's name, one of a dozen circumstances and one
of forty streets, an address of a house number, the street and the ward, a plate for violations, and their search
text built from the same pieces folded in Python (`core.folding`), which the run checks against
`models.search_text.searchable_text` on a sample of rows. The trigram index is dropped for the load and built again
after it, as `CREATE INDEX` on a full table is much faster than a million index insertions; the build time and the
index size are printed. The database is dropped at the end unless --keep. `--smoke` (what `make test` runs): 2,000
reports in 12 wards, two runs, and the answers checked (each search finds what it must, over GraphQL).
"""

from __future__ import annotations

import statistics as stats
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from api.db import POSTGRES_SETTINGS
from api.signin import token_codec
from auth.principal import Principal
from bench.cli import SMOKE_NOTE, fail, machine, run
from bench.scratch import city_options, scratch_database
from bench.statistics import graphql_client
from core.folding import fold
from core.settings import Settings
from models.agencies import Agency
from models.enums import CategoryKind, Role
from models.reference import Category, Ward
from models.search_text import CREATE_INDEX, INDEX_NAME, searchable_text
from models.users import User
from services.reports.search import search_terms
from services.routing.resolution import resolve_route

STREETS = (
    "Đinh Tiên Hoàng", "Tràng Tiền", "Giải Phóng", "Nguyễn Trãi", "Láng", "Cầu Giấy", "Kim Mã", "Xã Đàn", "Tây Sơn",
    "Minh Khai", "Nguyễn Văn Cừ", "Phạm Văn Đồng", "Lê Văn Lương", "Trường Chinh", "Hoàng Quốc Việt", "Xuân Thủy",
    "Đội Cấn", "Hàng Bài", "Bà Triệu", "Lê Duẩn", "Điện Biên Phủ", "Trần Hưng Đạo", "Lý Thường Kiệt", "Hai Bà Trưng",
    "Phố Huế", "Bạch Mai", "Đại Cồ Việt", "Nguyễn Chí Thanh", "Láng Hạ", "Thái Hà", "Tôn Đức Thắng", "Hào Nam",
    "Ngọc Khánh", "Liễu Giai", "Văn Cao", "Thụy Khuê", "Âu Cơ", "Lạc Long Quân", "Nghi Tàm", "Yên Phụ",
)  # fmt: skip
CIRCUMSTANCES = (
    "vào giờ cao điểm", "trước cổng trường học", "ở ngã tư", "gần chợ", "lúc nửa đêm", "trên cầu vượt",
    "trước bệnh viện", "khi đèn vàng", "cạnh bến xe buýt", "trong ngõ nhỏ", "dưới gầm cầu", "sáng sớm",
)  # fmt: skip
PROVINCES = ("29", "30", "31", "33", "40", "88", "99")
PLATE_LETTERS = "ABCDEFGHKLMNPSTUVX"
LOAD = """
INSERT INTO report (id, code, status, category_id, description, occurred_at, submitted_at, updated_at, address,
    ward_id, plate_number, channel, reporter_id, agency_id, routing_rule_id, due_at, vehicle_impounded, search_text)
SELECT gen_random_uuid(), x.code, x.status, x.category_id,
    x.category_name || ' ' || c.said || ' trên phố ' || s.said, x.t, x.t, x.t,
    'Số ' || x.house || ' ' || s.said || ', ' || x.ward_name, x.ward_id, x.plate,
    CASE WHEN x.u3 < 0.58 THEN 'ZALO' WHEN x.u3 < 0.94 THEN 'IHANOI' ELSE 'WEB' END, $1, x.agency_id, x.rule_id,
    x.t + INTERVAL '72 hours', false,
    concat_ws(' ', lower(x.code), lower(x.plate), lower(replace(replace(x.plate, '-', ''), '.', '')),
              x.category_folded, c.folded, 'tren pho', s.folded, 'so', x.house, s.folded, x.ward_folded)
FROM (
    SELECT raw.*, r.*, 'PA-' || extract(year FROM raw.t)::int || '-' || lpad(raw.g::text, 7, '0') AS code,
        CASE WHEN raw.u2 < 0.05 THEN 'ROUTED' WHEN raw.u2 < 0.1 THEN 'ASSIGNED' WHEN raw.u2 < 0.2 THEN 'ACCEPTED'
             WHEN raw.u2 < 0.4 THEN 'PENALIZED' WHEN raw.u2 < 0.5 THEN 'RESOLVED' ELSE 'REJECTED' END AS status,
        CASE WHEN r.violation THEN ($5::text[])[1 + floor(raw.u4 * array_length($5::text[], 1))::int]
            || substr($6, 1 + floor(raw.u5 * length($6))::int, 1) || '-' || substr(raw.digits, 1, 3) || '.'
            || substr(raw.digits, 4, 2) END AS plate
    FROM (
        SELECT g, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
            lpad(floor(random() * 100000)::int::text, 5, '0') AS digits, 1 + floor(random() * 299)::int AS house,
            1 + floor(random() * $3::int)::int AS street, 1 + floor(random() * $4::int)::int AS circumstance,
            TIMESTAMPTZ '2023-01-01 00:00:00+07' + random() * INTERVAL '1400 days' AS t,
            1 + floor(random() * $2::int)::int AS route
        FROM generate_series(1, $7::int) g
    ) raw
    JOIN bench_route r ON r.n = raw.route
) x
JOIN bench_street s ON s.n = x.street
JOIN bench_circumstance c ON c.n = x.circumstance
ORDER BY x.t
"""
PAGE = """
query Search($search: String!, $status: ReportStatus) {
  reports(filter: { search: $search, status: $status }, first: 20) {
    edges { node { id code status submittedAt description plateNumber category { code } location { address } } }
  }
}
"""
SMOKE_WARDS = 12
SAMPLE = 500
Call = Callable[[], Awaitable[Any]]
Recorded = list[tuple[str, list[Any]]]


async def load(database_url: str, reports: int, wards: int | None) -> str:
    """Routes for every (category, ward) by the live rules (of the first `wards` wards only, in a smoke run), then
    the reports without the trigram index, then the index; returns what the index took to build and its size."""
    categories = await Category.all()
    routes: list[tuple[object, ...]] = []
    for ward in await Ward.all().order_by("code").limit(wards or 10_000):
        for category in categories:
            route = await resolve_route(category, ward.code)
            if route is not None:
                violation = category.kind is CategoryKind.VIOLATION
                names = (category.name, fold(category.name), ward.name, fold(ward.name))
                routes.append(
                    (len(routes) + 1, category.code, ward.code, route.agency.id, route.rule.id, violation, *names)
                )
    reporter = await User.create(role=Role.CITIZEN, username="bench-citizen")
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(
            "CREATE TEMP TABLE bench_route (n int PRIMARY KEY, category_id text, ward_id text, agency_id uuid, "
            "rule_id uuid, violation bool, category_name text, category_folded text, ward_name text, ward_folded text)"
        )
        await conn.copy_records_to_table("bench_route", records=routes)
        for table, phrases in (("bench_street", STREETS), ("bench_circumstance", CIRCUMSTANCES)):
            await conn.execute(f"CREATE TEMP TABLE {table} (n int PRIMARY KEY, said text, folded text)")
            rows = [(n, said, fold(said)) for n, said in enumerate(phrases, 1)]
            await conn.copy_records_to_table(table, records=rows)
        await conn.execute(f"DROP INDEX {INDEX_NAME}")
        began = time.perf_counter()
        parameters = (len(routes), len(STREETS), len(CIRCUMSTANCES), list(PROVINCES), PLATE_LETTERS, reports)
        await conn.execute(LOAD, reporter.id, *parameters)
        print(f"loaded {reports:,} reports in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        began = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '256MB'")
        await conn.execute(CREATE_INDEX)
        built = time.perf_counter() - began
        await conn.execute("VACUUM ANALYZE report")
        size = await conn.fetchval("SELECT pg_size_pretty(pg_relation_size($1::regclass))", INDEX_NAME)
        await check_search_text(conn)
    finally:
        await conn.close()
    return f"trigram index built in {built:.1f} s, {size}"


async def check_search_text(conn: asyncpg.Connection) -> None:
    """The search text the load built in SQL is the one `Report.save` would have written, on a sample of rows."""
    rows = await conn.fetch(
        f"SELECT code, plate_number, description, address, search_text FROM report ORDER BY random() LIMIT {SAMPLE}"
    )
    for row in rows:
        expected = searchable_text(row["code"], row["plate_number"], row["description"], row["address"])
        if row["search_text"] != expected:
            fail(f"the load's search text {row['search_text']!r} is not the app's {expected!r}")


@contextmanager
def recording() -> Iterator[Recorded]:
    """What the app runs on PostgreSQL meanwhile, in transactions too: each SELECT with its parameters, and the
    `SET LOCAL`s of the search (`services.reports.search.newest_matches`) with empty parameters, in order, so that
    the bare SQL replayed is exactly what the request ran."""
    select, script = AsyncpgDBClient.execute_query, AsyncpgDBClient.execute_script
    recorded: Recorded = []

    async def record_select(self: AsyncpgDBClient, query: str, values: list[Any] | None = None) -> Any:
        if query.lstrip().upper().startswith("SELECT"):
            recorded.append((query, list(values or [])))
        return await select(self, query, values)

    async def record_script(self: AsyncpgDBClient, query: str) -> None:
        recorded.append((query, []))
        await script(self, query)

    setattr(AsyncpgDBClient, "execute_query", record_select)  # noqa: B010
    setattr(AsyncpgDBClient, "execute_script", record_script)  # noqa: B010
    try:
        yield recorded
    finally:
        setattr(AsyncpgDBClient, "execute_query", select)  # noqa: B010
        setattr(AsyncpgDBClient, "execute_script", script)  # noqa: B010


async def sampled(call: Call, runs: int) -> tuple[float, float]:
    """(p50, p95) milliseconds over `runs`, after two warm-ups."""
    for _ in range(2):
        await call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    cuts = stats.quantiles(samples, n=20, method="inclusive")
    return stats.median(samples), cuts[18]


async def searches(agency_id: uuid.UUID) -> list[tuple[str, str, str | None, str | None]]:
    """(label, search, status, code it must find) for each kind of search, from the rows loaded."""
    connection = connections.get("default")
    (plated,) = await connection.execute_query_dict(
        "SELECT code, plate_number FROM report WHERE agency_id = $1 AND plate_number IS NOT NULL "
        "ORDER BY submitted_at DESC LIMIT 1",
        [agency_id],
    )
    (oldest,) = await connection.execute_query_dict(
        "SELECT code FROM report WHERE agency_id = $1 ORDER BY submitted_at LIMIT 1", [agency_id]
    )
    plate = plated["plate_number"].lower().replace("-", " ")  # 29A-123.45 spelt 29a 123.45
    return [
        ("a plate, spelt differently", plate, None, plated["code"]),
        ("a report code (the oldest; its unique index)", oldest["code"].lower(), None, oldest["code"]),
        ("a street (1 in 40 reports)", "dinh tien hoang", None, None),
        ("a category's words (about 1 in 19)", "vuot den do", None, None),
        ("category + circumstance + street (rare)", "vuot den do truong hoc hang bai", None, None),
        ("a street, ACCEPTED only", "giai phong", "ACCEPTED", None),
        ("words no report has", "xyzzy khong co", None, None),
    ]


async def plan_of(pool: asyncpg.Pool, recorded: Recorded) -> str:
    """The scans PostgreSQL chose for the search's statements (EXPLAIN ANALYZE, under the `SET LOCAL`s in force when
    each ran), in one line: the probe of the newest reports, then the trigram index when the probe did not fill the
    page."""
    chosen = []
    async with pool.acquire() as connection, connection.transaction():
        for query, values in recorded:
            if query.lstrip().upper().startswith("SET"):
                await connection.execute(query)
            elif "search_text" in query:
                rows = await connection.fetch(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {query}", *values)
                lines = [row[0].strip().removeprefix("-> ").strip() for row in rows]
                print("\n".join(["", query[-300:], *lines]), file=sys.stderr)
                chosen.append(" + ".join(line.split(" (")[0] for line in lines if " Scan " in line))
    return "; then ".join(chosen)


async def compare(
    database_url: str, settings: Settings, agency_id: uuid.UUID, runs: int, smoke: bool
) -> list[tuple[str, float, float, float, float, str]]:
    officer = await User.create(
        role=Role.OFFICER, username=f"bench-officer-{uuid.uuid4().hex[:8]}", agency_id=agency_id
    )
    token = token_codec(settings).issue(Principal.of(officer)).token
    results = []
    async with (
        asyncpg.create_pool(
            database_url.replace("postgres://", "postgresql://", 1),
            min_size=2,
            max_size=2,
            server_settings=POSTGRES_SETTINGS,
        ) as pool,
        graphql_client(settings) as client,
    ):
        cases = await searches(agency_id)
        plate_search = cases[0][1]  # a rare search: the trigram index must answer it
        for label, search, status, must_find in cases:
            request = page_request(client, token, search, status)
            with recording() as recorded:
                body = await request()
            check_page(label, body, search, must_find)
            api = await sampled(request, runs)
            bare = await sampled(replay(pool, recorded), runs)
            plan = await plan_of(pool, recorded)
            if not smoke and search == plate_search and INDEX_NAME not in plan:
                fail(f"{label}: PostgreSQL did not use {INDEX_NAME}: {plan}")
            results.append((label, *api, *bare, plan))
    return results


def page_request(client: httpx.AsyncClient, token: str, search: str, status: str | None) -> Call:
    async def request() -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": PAGE, "variables": {"search": search, "status": status}},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("errors"):
            fail(f"the search over GraphQL answered {response.status_code}: {str(body)[:1000]}")
        return body

    return request


def check_page(label: str, body: dict[str, Any], search: str, must_find: str | None) -> None:
    """Every report found holds every word of the search, and the one the search is for is among them."""
    nodes = [edge["node"] for edge in body["data"]["reports"]["edges"]]
    terms = search_terms(search)
    for node in nodes:
        text = searchable_text(node["code"], node["plateNumber"], node["description"], node["location"]["address"])
        if not all(term in text for term in terms):
            fail(f"{label}: {node['code']} does not hold every word of {search!r}")
    if must_find is not None and must_find not in {node["code"] for node in nodes}:
        fail(f"{label}: {must_find} was not found by {search!r}")


def replay(pool: asyncpg.Pool, recorded: Recorded) -> Call:
    """The request's statements one after the other in one transaction (where the `SET LOCAL`s hold), as the request
    ran them."""

    async def statements() -> None:
        async with pool.acquire() as connection, connection.transaction():
            for query, values in recorded:
                if query.lstrip().upper().startswith("SET"):
                    await connection.execute(query)
                else:
                    await connection.fetch(query, *values)

    return statements


async def main(reports: int, runs: int, server_url: str, keep: bool, smoke: bool) -> None:
    async with scratch_database(server_url, keep) as scratch:
        database_url, settings = scratch.database_url, scratch.settings
        index = await load(database_url, reports, SMOKE_WARDS if smoke else None)
        print(index, file=sys.stderr)
        pc08 = await Agency.get(code="PC08")
        own = await connections.get("default").execute_query_dict(
            "SELECT COUNT(*) AS n FROM report WHERE agency_id = $1", [pc08.id]
        )
        results = await compare(database_url, settings, pc08.id, runs, smoke)
        print(machine())
        if smoke:
            print(SMOKE_NOTE)
        print(f"{index}; PC08 handles {own[0]['n']:,} of the {reports:,} reports")
        print(
            f"| search by an OFFICER of PC08, first 20 ({reports:,} reports, PostgreSQL) | GraphQL p50 ms | "
            "GraphQL p95 ms | bare SQL p50 ms | bare SQL p95 ms | plans of the search's statements |"
        )
        print("|---|---:|---:|---:|---:|---|")
        for label, api_p50, api_p95, bare_p50, bare_p95, plan in results:
            print(f"| {label} | {api_p50:.1f} | {api_p95:.1f} | {bare_p50:.1f} | {bare_p95:.1f} | {plan} |")
        worst = max(result[2] for result in results)
        print(f"target: p95 under 100 ms through GraphQL; worst p95 here {worst:.1f} ms")


if __name__ == "__main__":
    options = city_options(__doc__, runs=40, smoke_runs=2)
    run(main(options.reports, options.runs, options.pg_url, options.keep, options.smoke))
