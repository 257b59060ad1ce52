"""Report submission rate and list latency through the real GraphQL app, on SQLite and (when one answers)
PostgreSQL. Each run builds a throwaway database with the real migrations and seed, and drops it afterwards.

    .venv/bin/python -m bench.reports [--submits 200] [--concurrency 10] [--lists 50] [--pg-url postgres://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import httpx

from api.app import create_app
from api.db import close_db, init_db, migrate
from api.signin import token_codec
from auth.principal import Principal
from core.settings import Settings
from models.agencies import Agency
from models.enums import MediaKind, MediaStatus, Role
from models.media import Media
from models.users import User
from services.reference.seed import seed_reference_data
from tests.helpers.databases import scratch_postgres

HANOI = timezone(timedelta(hours=7))
SUBMIT = """
mutation($input: SubmitReportInput!, $key: String!) { submitReport(input: $input, idempotencyKey: $key) { id code } }
"""
LIST = """
query($first: Int) { reports(first: $first) { totalCount edges { node {
  id code status plateNumber category { code } location { ward { name } } agency { code } reporter { phone }
  media { id } decisions { outcome } timeline { kind at } possibleDuplicateOf { id }
} } } }
"""


@dataclass
class Result:
    database: str
    submits: int
    submit_seconds: float
    list_ms: list[float]


async def run(name: str, database_url: str, submits: int, concurrency: int, lists: int) -> Result:
    var = Path(tempfile.mkdtemp(prefix="phananh-bench-"))
    settings = Settings.from_env(
        {"APP_ENV": "test", "DATABASE_URL": database_url, "VAR_DIR": str(var), "STORAGE_URL": f"file://{var}/media"}
    )
    await migrate(settings)
    await init_db(settings)
    try:
        await seed_reference_data()
        codec = token_codec(settings)
        citizens = [await User.create(role=Role.CITIZEN, phone=f"09{i:08d}") for i in range(concurrency)]
        officer = await User.create(role=Role.OFFICER, username="bench-officer", agency=await Agency.get(code="PC08"))
        tokens = {u.id: codec.issue(Principal(u.id, u.role, u.agency_id)).token for u in [*citizens, officer]}
        app = create_app(settings)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            started = time.perf_counter()
            per_worker = submits // concurrency
            await asyncio.gather(*(_submitter(client, user, tokens[user.id], per_worker) for user in citizens))
            submit_seconds = time.perf_counter() - started
            latencies = []
            for _ in range(lists):
                began = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={"query": LIST, "variables": {"first": 20}},
                    headers={"Authorization": f"Bearer {tokens[officer.id]}"},
                )
                latencies.append((time.perf_counter() - began) * 1000)
                assert "errors" not in response.json(), response.text
        return Result(name, per_worker * concurrency, submit_seconds, latencies)
    finally:
        await close_db()


async def _submitter(client: httpx.AsyncClient, user: User, token: str, count: int) -> None:
    for i in range(count):
        media = await Media.create(
            owner=user,
            status=MediaStatus.READY,
            kind=MediaKind.PHOTO,
            content_type="image/jpeg",
            declared_size_bytes=1000,
            object_key=f"bench/{uuid.uuid4()}.jpg",
        )
        occurred = (datetime.now(UTC) - timedelta(minutes=30)).astimezone(HANOI).isoformat()
        report = {
            "categoryCode": "RED_LIGHT",
            "description": f"Vượt đèn đỏ, lần {i}",
            "occurredAt": occurred,
            "location": {"latitude": 21.0287 + i * 0.0001, "longitude": 105.8524},
            "plateNumber": f"29A{10000 + i}",
            "mediaIds": [str(media.id)],
            "channel": "ZALO",
        }
        response = await client.post(
            "/graphql",
            json={"query": SUBMIT, "variables": {"input": report, "key": str(uuid.uuid4())}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert "errors" not in response.json(), response.text


def table(results: list[Result], concurrency: int) -> str:
    rows = [
        "| database | submits | concurrency | submits/s | list p50 (ms) | list p95 (ms) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        p95 = statistics.quantiles(r.list_ms, n=20)[-1]
        rows.append(
            f"| {r.database} | {r.submits} | {concurrency} | {r.submits / r.submit_seconds:.0f} | "
            f"{statistics.median(r.list_ms):.1f} | {p95:.1f} |"
        )
    return "\n".join(rows)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--lists", type=int, default=50)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--one", nargs=2, metavar=("NAME", "DATABASE_URL"), help=argparse.SUPPRESS)
    return parser.parse_args()


async def one(args: argparse.Namespace) -> None:
    """One database per process: Tortoise cannot switch dialects inside one process."""
    name, url = args.one
    result = await run(name, url, args.submits, args.concurrency, args.lists)
    print(json.dumps(asdict(result)))


async def in_subprocess(args: argparse.Namespace, name: str, url: str) -> Result:
    command = [sys.executable, "-m", "bench.reports", "--one", name, url]
    command += ["--submits", str(args.submits), "--concurrency", str(args.concurrency), "--lists", str(args.lists)]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    stdout, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"the {name} run failed")
    return Result(**json.loads(stdout.decode().strip().splitlines()[-1]))


async def main() -> None:
    args = arguments()
    if args.one:
        await one(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = [await in_subprocess(args, "SQLite", f"sqlite://{tmp}/bench.sqlite3")]
    try:
        async with scratch_postgres(args.pg_url, prefix="phananh_bench") as url:
            results.append(await in_subprocess(args, "PostgreSQL", url))
    except (OSError, asyncpg.PostgresError):
        print(f"PostgreSQL at {args.pg_url} does not answer: skipped")
    print(table(results, args.concurrency))


if __name__ == "__main__":
    asyncio.run(main())
