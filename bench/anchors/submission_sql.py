"""The anchor of `bench.submissions`: the least a numbered submission costs the database. Each is one transaction of
two statements on tables of their own: take the next number of the year from a sequence (as the API numbers on
PostgreSQL, `services.reports.codes`) and insert the numbered row; the same number of submissions, as many at once,
through asyncpg. What it cannot show is routing, the hourly limit, media, the timeline, the outbox and the
statistics rollups, which the API writes too: it is a floor, not a rival design.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg

TABLES = """
CREATE SEQUENCE IF NOT EXISTS bench_code_2026;
CREATE TABLE IF NOT EXISTS bench_submission (
    id uuid PRIMARY KEY, code text UNIQUE NOT NULL, reporter text NOT NULL, description text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now()
);
"""
NUMBER = "SELECT nextval('bench_code_2026')"
INSERT = "INSERT INTO bench_submission (id, code, reporter, description) VALUES ($1, $2, $3, $4)"


async def submit_all(database_url: str, at_once: int, each: int) -> tuple[float, list[float], list[str]]:
    """`at_once` submitters of `each` submissions: the seconds it took, each submission's milliseconds, the codes."""
    async with asyncpg.create_pool(database_url, min_size=at_once, max_size=at_once) as pool:
        await pool.execute(TABLES)
        latencies: list[float] = []
        codes: list[str] = []

        async def submitter(n: int) -> None:
            async with pool.acquire() as connection:
                for i in range(each):
                    began = time.perf_counter()
                    async with connection.transaction():
                        number = await connection.fetchval(NUMBER)
                        code = f"PA-2026-{number:06d}"
                        await connection.execute(INSERT, uuid.uuid4(), code, f"citizen {n}", f"Vượt đèn đỏ, lần {i}")
                    latencies.append((time.perf_counter() - began) * 1000)
                    codes.append(code)

        started = time.perf_counter()
        await asyncio.gather(*(submitter(n) for n in range(at_once)))
        return time.perf_counter() - started, latencies, codes
