"""`hotspots` at city scale: 1,000,000 reports in a throwaway PostgreSQL database, the city's cells through GraphQL
beside the bare SQL the service ran (the very statement and parameters, recorded as it ran and replayed through
asyncpg with the app's connection settings), and the GeoJSON route beside the same statement.

    .venv/bin/python -m bench.hotspots [--reports 1000000] [--runs 10] [--keep] [--pg-url postgres://...] [--smoke]

The reports are loaded as `bench.statistics` loads them (routed by the live rules, a status mix close to the demo's);
then each gets a point in its ward, drawn around the ward's centre with a spread of half the radius of a disc of the
ward's area (so the communes' points spread over kilometres and the central wards' over a few hundred metres), and
its geohash computed by `core.geohash` as a submission stores it; then the rollups are rebuilt, as after any bulk
load. `--smoke` (what `make test` runs): 2,000 reports in
12 wards, one run, and the answers checked (every report counted once at two precisions, the public's cells at least
HOTSPOT_MIN_COUNT, the GeoJSON's features the GraphQL cells).
"""

from __future__ import annotations

import math
import random
import sys
import time
import uuid
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.transactions import in_transaction

from api.db import POSTGRES_SETTINGS
from api.signin import token_codec
from auth.principal import Principal
from bench.cli import SMOKE_NOTE, fail, machine, run
from bench.scratch import city_options, scratch_database
from bench.statistics import SMOKE_WARDS, Call, graphql_client, load, recording, replay, timed
from core import geohash
from core.settings import Settings
from models.enums import Role
from models.reference import Ward
from models.users import User
from services.hotspots.cells import DEFAULT_PRECISION
from services.statistics import cells as cell_rollup
from services.statistics import rollup

DEGREE_M = 111_320.0
COUNTS = "total violations infrastructure open accepted rejected penalized resolved"
# What a map asks: every field of every cell.
HOTSPOTS = f"""
query Hotspots($precision: Int, $filter: HotspotFilter) {{
  hotspots(precision: $precision, filter: $filter) {{
    audience precision minCount truncated cells {{ id bbox latitude longitude {COUNTS} }}
  }}
}}
"""


async def place(database_url: str, seed: int = 19) -> int:
    """A point and its geohash for every report, in its ward (see the module docstring); returns how many."""
    wards = {ward.code: ward for ward in await Ward.all()}
    rng = random.Random(seed)
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        rows = []
        for record in await conn.fetch("SELECT id, ward_id FROM report"):
            ward = wards[record["ward_id"]]
            spread_m = math.sqrt(ward.area_km2 * 1e6 / math.pi) / 2
            latitude = ward.latitude + rng.gauss(0, spread_m / DEGREE_M)
            longitude = ward.longitude + rng.gauss(0, spread_m / (DEGREE_M * math.cos(math.radians(ward.latitude))))
            rows.append((record["id"], latitude, longitude, geohash.encode(latitude, longitude)))
        await conn.execute("CREATE TEMP TABLE bench_point (id uuid PRIMARY KEY, lat float8, lon float8, cell text)")
        await conn.copy_records_to_table("bench_point", records=rows)
        await conn.execute(
            "UPDATE report r SET latitude = p.lat, longitude = p.lon, geohash = p.cell FROM bench_point p "
            "WHERE r.id = p.id"
        )
        await conn.execute("VACUUM FULL ANALYZE report")  # the update left every row twice; a live table is not so
        return len(rows)
    finally:
        await conn.close()


async def tokens(settings: Settings, agency_id: uuid.UUID) -> dict[str, str | None]:
    codec = token_codec(settings)
    admin = await User.create(role=Role.ADMIN, username=f"bench-admin-{uuid.uuid4().hex[:8]}")
    officer = await User.create(
        role=Role.OFFICER, username=f"bench-officer-{uuid.uuid4().hex[:8]}", agency_id=agency_id
    )
    return {
        "anonymous (PUBLIC)": None,
        "ADMIN (CITY)": codec.issue(Principal.of(admin)).token,
        "OFFICER of PC08 (AGENCY)": codec.issue(Principal.of(officer)).token,
    }


async def compare(
    database_url: str, settings: Settings, agency_id: uuid.UUID, runs: int
) -> tuple[list[tuple[str, float, float, int]], dict[str, Any]]:
    """Each case timed through GraphQL (or the GeoJSON route) and as its bare statement; and the answers, by case,
    for the checks."""
    bearers = await tokens(settings, agency_id)
    results, answers = [], {}
    async with (
        asyncpg.create_pool(
            database_url.replace("postgres://", "postgresql://", 1),
            min_size=1,
            max_size=2,
            server_settings=POSTGRES_SETTINGS,
        ) as pool,
        graphql_client(settings) as client,
    ):

        def graphql(bearer: str | None, precision: int, filter: dict[str, str] | None = None) -> Call:
            async def request() -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": HOTSPOTS, "variables": {"precision": precision, "filter": filter}},
                    headers={"Authorization": f"Bearer {bearer}"} if bearer else {},
                )
                body: dict[str, Any] = response.json()
                if response.status_code != 200 or body.get("errors"):
                    fail(f"hotspots over GraphQL answered {response.status_code}: {str(body)[:1000]}")
                return body["data"]["hotspots"]

            return request

        def geojson(precision: int) -> Call:
            async def request() -> dict[str, Any]:
                response = await client.get("/hotspots.geojson", params={"precision": str(precision)})
                if response.status_code != 200:
                    fail(f"/hotspots.geojson answered {response.status_code}: {response.text[:1000]}")
                body: dict[str, Any] = response.json()
                return body

            return request

        cases: list[tuple[str, Call]] = [
            (f"city, precision {DEFAULT_PRECISION} (the default), {who}", graphql(bearer, DEFAULT_PRECISION))
            for who, bearer in bearers.items()
        ]
        cases += [
            (
                f"city, precision {DEFAULT_PRECISION}, ADMIN (CITY), read from the reports (from 2000-01-01)",
                graphql(bearers["ADMIN (CITY)"], DEFAULT_PRECISION, {"from": "2000-01-01"}),
            ),
            ("city, precision 6, ADMIN (CITY)", graphql(bearers["ADMIN (CITY)"], 6)),
            ("city, precision 7, ADMIN (CITY), cut to the densest cells", graphql(bearers["ADMIN (CITY)"], 7)),
            (f"GET /hotspots.geojson?precision={DEFAULT_PRECISION}, anonymous", geojson(DEFAULT_PRECISION)),
        ]
        for label, call in cases:
            with recording() as recorded:
                answers[label] = await call()
            if len(recorded) != 1:
                fail(f"{label}: {len(recorded)} statements recorded, one expected")
            found = answers[label]
            cells = len(found["cells"] if "cells" in found else found["features"])
            results.append((label, await timed(call, runs), await timed(replay(pool, recorded), runs), cells))
    return results, answers


def check(reports: int, answers: dict[str, Any]) -> None:
    """Every report counted once (the city's cells at two precisions add up to the reports loaded), the public's cells
    at least the minimum, and the GeoJSON the same cells as GraphQL."""
    for label, answer in answers.items():
        if "ADMIN" in label and not answer["truncated"] and sum(c["total"] for c in answer["cells"]) != reports:
            fail(f"{label}: the cells count {sum(c['total'] for c in answer['cells'])} of {reports} reports")
        for cell in answer.get("cells", []):
            if sum(cell[name] for name in ("open", "accepted", "rejected", "penalized", "resolved")) != cell["total"]:
                fail(f"{label}: the statuses of cell {cell['id']} do not add up to its total")
    public = answers[f"city, precision {DEFAULT_PRECISION} (the default), anonymous (PUBLIC)"]
    if not public["cells"] or min(c["total"] for c in public["cells"]) < public["minCount"]:
        fail(f"the public sees a cell under {public['minCount']} reports, or none at all")
    city = f"city, precision {DEFAULT_PRECISION} (the default), ADMIN (CITY)"
    scanned = f"city, precision {DEFAULT_PRECISION}, ADMIN (CITY), read from the reports (from 2000-01-01)"
    if answers[city]["cells"] != answers[scanned]["cells"]:
        fail("the hotspot rollup and the reports give different cells")
    features = answers[f"GET /hotspots.geojson?precision={DEFAULT_PRECISION}, anonymous"]["features"]
    if {f["id"]: f["properties"]["total"] for f in features} != {c["id"]: c["total"] for c in public["cells"]}:
        fail("the GeoJSON's features are not the public GraphQL cells")


async def main(reports: int, runs: int, server_url: str, keep: bool, smoke: bool) -> None:
    async with scratch_database(server_url, keep) as scratch:
        database_url, settings = scratch.database_url, scratch.settings
        began = time.perf_counter()
        _, pc08 = await load(database_url, reports, SMOKE_WARDS if smoke else None)
        print(f"loaded {reports:,} reports in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        began = time.perf_counter()
        placed = await place(database_url)
        print(f"placed {placed:,} reports in their wards in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        began = time.perf_counter()
        async with in_transaction() as connection:
            await rollup.rebuild(connection)
        table = cell_rollup.TABLE
        counted = await connections.get("default").execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        elapsed = time.perf_counter() - began
        print(f"rebuilt the rollups in {elapsed:.1f} s; {table}: {counted[0]['n']:,} rows", file=sys.stderr)
        results, answers = await compare(database_url, settings, pc08, runs)
        if smoke:
            check(reports, answers)
        print(machine())
        if smoke:
            print(SMOKE_NOTE)
        print(f"| query ({reports:,} reports, PostgreSQL) | cells | API ms | bare SQL ms | ratio |")
        print("|---|---:|---:|---:|---:|")
        for label, api_ms, raw_ms, cells in results:
            print(f"| {label} | {cells:,} | {api_ms:.1f} | {raw_ms:.1f} | {api_ms / raw_ms:.2f} |")


if __name__ == "__main__":
    options = city_options(__doc__, runs=10, smoke_runs=1)
    run(main(options.reports, options.runs, options.pg_url, options.keep, options.smoke))
