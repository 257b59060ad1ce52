"""Report submissions through the API, many citizens at once, beside the least a numbered submission costs the
database.

    .venv/bin/python -m bench.submissions [--citizens 20] [--each 25] [--db postgres|sqlite] [--pg-url ...] [--smoke]

`--citizens` citizens each submit `--each` red-light reports (each with its own photo, uploaded beforehand, and its
own idempotency key) one after the other, all citizens at once, over HTTP to the API (`api.main:app`, one uvicorn
worker on the first CPU; the clients run in this process on the last). Every submission must succeed and every code
must be unique and read `PA-<year>-<6 digits>`, or the run fails. The anchor (`bench.anchors.submission_sql`) runs
as many two-statement transactions (number from a sequence, insert), as many at once, straight through asyncpg.
Printed: submissions per second, p50 and p99 of one submission, for both, and the API's share of the anchor's rate;
and the server's CPU time per submission, the figure that moves least when the machine is shared.

The database is a scratch one (PostgreSQL on `--pg-url`, with the demo city, or a SQLite file), dropped at the end.
`--smoke` (what `make test` runs): 3 citizens, 2 reports each, no demo city, every answer checked, no timing.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import time
from pathlib import Path

import httpx

from bench.anchors import submission_sql
from bench.city import citizens, ready_photo, scratch_city, submit_red_light
from bench.cli import SMOKE_NOTE, add_cpu_arguments, fail, machine, parser, pin_this_process, run
from bench.load import percentile
from bench.servers import API, serving
from models.reports import Report
from services.demo.data import DemoPlan

CODE = re.compile(r"PA-\d{4}-\d{6}")


async def through_api(url: str, tokens: list[str], photos: list[list[str]]) -> tuple[float, list[float], list[str]]:
    latencies: list[float] = []
    codes: list[str] = []
    limits = httpx.Limits(max_connections=len(tokens))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def citizen(n: int) -> None:
            for i, photo in enumerate(photos[n]):
                report, latency_ms = await submit_red_light(client, tokens[n], n * len(photos[n]) + i, photo)
                latencies.append(latency_ms)
                codes.append(report["code"])

        started = time.perf_counter()
        await asyncio.gather(*(citizen(n) for n in range(len(tokens))))
        return time.perf_counter() - started, latencies, codes


def check_codes(codes: list[str], expected: int, who: str) -> None:
    if len(codes) != expected or len(set(codes)) != expected:
        fail(f"{who}: {expected} submissions, {len(codes)} codes, {len(set(codes))} distinct")
    if wrong := [code for code in codes if not CODE.fullmatch(code)]:
        fail(f"{who}: codes not of the form PA-<year>-<6 digits>: {wrong[:5]}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def row(label: str, api: str, anchor: str, ratio: str = "") -> str:
    return f"| {label} | {api} | {anchor} | {ratio} |"


async def main() -> None:
    described = parser(__doc__)
    described.add_argument("--citizens", type=int, default=20, help="citizens submitting at once")
    described.add_argument("--each", type=int, default=25, help="reports each citizen submits")
    described.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    add_cpu_arguments(described)
    args = described.parse_args()
    if args.smoke:
        args.citizens, args.each = 3, 2
    total = args.citizens * args.each
    demo = DemoPlan() if args.db == "postgres" and not args.smoke else None
    with tempfile.TemporaryDirectory(prefix="phananh-bench-submissions-") as tmp:
        var = Path(tmp)
        async with scratch_city(args.db, args.pg_url, var, demo=demo) as city:
            people = await citizens(args.citizens)
            photos = [[str((await ready_photo(person)).id) for _ in range(args.each)] for person in people]
            before = await Report.all().count()
            async with serving("the API", API, city.env, var / "api.log", cpus=args.server_cpus) as api:
                pin_this_process(args.load_cpus)
                cpu_before = cpu_seconds(api.pid)
                seconds, latencies, codes = await through_api(api.url, [city.token(p) for p in people], photos)
                server_cpu_ms = (cpu_seconds(api.pid) - cpu_before) * 1000 / total
            check_codes(codes, total, "the API")
            if await Report.all().count() != before + total:
                fail(f"{total} submissions answered, {await Report.all().count() - before} reports stored")
            anchor = None
            if args.db == "postgres":
                anchor = await submission_sql.submit_all(city.env["DATABASE_URL"], args.citizens, args.each)
                check_codes(anchor[2], total, "the anchor")
    print(machine())
    print(f"server on CPUs {args.server_cpus or 'any'}, clients on {args.load_cpus or 'any'}")
    if args.smoke:
        print(SMOKE_NOTE)
    anchor_rate = f"{total / anchor[0]:,.0f}/s" if anchor else "(PostgreSQL only)"
    print(
        "\n".join(
            [
                row(
                    f"{args.citizens} citizens at once, {total} submissions, 1 worker, {args.db}",
                    "this API",
                    "bare SQL: sequence number + insert, one transaction",
                    "ratio",
                ),
                "| --- | ---: | ---: | ---: |",
                row(
                    "submissions per second",
                    f"{total / seconds:,.0f}/s",
                    anchor_rate,
                    f"{anchor[0] / seconds:.3f}" if anchor else "",
                ),
                row(
                    "p50 / p99 of one submission",
                    f"{percentile(latencies, 50):.0f} / {percentile(latencies, 99):.0f} ms",
                    f"{percentile(anchor[1], 50):.1f} / {percentile(anchor[1], 99):.1f} ms" if anchor else "",
                ),
                row("server CPU per submission", f"{server_cpu_ms:.1f} ms", ""),
            ]
        )
    )


if __name__ == "__main__":
    run(main())
