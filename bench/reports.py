"""The console's first page of reports, through the API beside its anchor, on the demo city in PostgreSQL.

    .venv/bin/python -m bench.reports [--seconds 10] [--connections 8] [--pg-url postgres://...] [--smoke]

An OFFICER of PC08 asks `reports(first: 20)` with the fields a console shows (`CONSOLE_PAGE` in
bench/anchors/reports_app.py). The same request goes to the API (`api.main:app`) and to the anchor, a plain
Starlette + asyncpg app serving the same JSON from the same rows (`bench.anchors.reports_app`); both are served by
the same uvicorn command line (bench/servers.py), one worker, on the first CPU, while wrk loads them from the last
(install it with `apt-get install -y wrk`). Both answers are compared before and after the load: any difference, or
any error under load, fails the run. Printed: requests per second, p50 and p99 with `--connections` connections and
with one, for both, and the API's share of the anchor's throughput.

The database is a scratch one on `--pg-url`, migrated, seeded with the demo city (`phananh seed --demo`, 16,000
reports) and dropped at the end; the demo has no photos, so the newest 40 reports of PC08 get one or two each, and
its newest reports are still open, so the officer first accepts or rejects two in three of the open ones on the page.
`--smoke` (what `make test` runs): a 300-report city, a few requests per server from Python instead of wrk, no timing.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.anchors.reports_app import CONSOLE_PAGE
from bench.city import SMOKE_DEMO, officers, ready_photo, scratch_city
from bench.cli import SMOKE_NOTE, add_cpu_arguments, fail, machine, parser, run
from bench.load import Load, Request, python_load, require_wrk, wrk
from bench.servers import API, Server, serving
from models.reports import Report
from models.users import User
from services.demo.data import DemoPlan

PAGE_SIZE = 20
DECIDE = """
mutation($id: ID!, $input: DecisionInput!) { decideReport(reportId: $id, input: $input) { id } }
"""
WARM_UP_SECONDS = 2
SMOKE_REQUESTS = 3  # at least; one per connection


async def attach_photos(agency_code: str, reports: int) -> None:
    """One or two photos on each of the newest reports of the agency, so that the page's media lists are not empty."""
    newest = await Report.filter(agency__code=agency_code).order_by("-submitted_at", "-id").limit(reports)
    for n, report in enumerate(newest):
        reporter = await User.get(id=report.reporter_id)
        for _ in range(1 + n % 2):
            photo = await ready_photo(reporter)
            photo.report = report
            await photo.save(update_fields=["report_id"])


async def decide_some(page: dict[str, Any], server: Server, request: Request) -> None:
    """The newest reports are still open, as in a live city: the officer accepts or rejects two in three of the open
    ones on the page through the API, as a console does, so that the page carries decisions too."""
    open_ones = [
        edge["node"]["id"]
        for edge in page["data"]["reports"]["edges"]
        if edge["node"]["status"] in ("ROUTED", "ASSIGNED")
    ]
    decisions = [
        {"outcome": "ACCEPT"},
        {"outcome": "REJECT", "responseToCitizen": "Ảnh không rõ biển số, chưa đủ căn cứ xử lý."},
    ]
    async with httpx.AsyncClient(timeout=30) as client:
        for n, report_id in enumerate(open_ones):
            if n % 3 == 2:
                continue
            body = json.dumps({"query": DECIDE, "variables": {"id": report_id, "input": decisions[n % 3]}})
            response = await client.post(request.url, content=body, headers=request.headers)
            if response.status_code != 200 or response.json().get("errors"):
                fail(f"{server.name} refused a decision: {response.text[:500]}")


async def first_page(server: Server, request: Request) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(request.url, content=request.body, headers=request.headers)
    if response.status_code != 200:
        fail(f"{server.name} answered {response.status_code}: {response.text[:500]}")
    body: dict[str, Any] = response.json()
    if body.get("errors") or not body.get("data"):
        fail(f"{server.name} answered errors: {json.dumps(body)[:1000]}")
    return body


def check_same(api: dict[str, Any], anchor: dict[str, Any], when: str) -> None:
    """The anchor must serve exactly the API's answer, or the comparison means nothing; and the page must be a full
    page of PC08's reports with photos and decisions on it, or it exercises less than a console's page."""
    if api != anchor:
        api_text, anchor_text = json.dumps(api, sort_keys=True), json.dumps(anchor, sort_keys=True)
        at = next((i for i, (a, b) in enumerate(zip(api_text, anchor_text, strict=False)) if a != b), 0)
        fail(
            f"{when}, the anchor's JSON differs from the API's near\n  API:    ...{api_text[at - 80 : at + 120]}\n"
            f"  anchor: ...{anchor_text[at - 80 : at + 120]}"
        )
    nodes = [edge["node"] for edge in api["data"]["reports"]["edges"]]
    if len(nodes) != PAGE_SIZE or {node["agency"]["code"] for node in nodes} != {"PC08"}:
        fail(f"{when}, the page is not {PAGE_SIZE} reports of PC08: {[node['agency']['code'] for node in nodes]}")
    if not any(node["media"] for node in nodes) or not any(node["decisions"] for node in nodes):
        fail(f"{when}, the page has no photos or no decisions: the comparison would leave them out")


async def measure(server: Server, request: Request, args: Any) -> list[Load]:
    """With `--connections` connections, then with one; after a warm-up that is not counted."""
    if args.smoke:
        return [await python_load(request, c, max(c, SMOKE_REQUESTS)) for c in (args.connections, 1)]
    await wrk(request, args.connections, WARM_UP_SECONDS, args.load_cpus)
    return [await wrk(request, c, args.seconds, args.load_cpus) for c in (args.connections, 1)]


def table(api: list[Load], anchor: list[Load]) -> str:
    rows = [
        "| `reports(first: 20)`, OFFICER of PC08 | this API | plain Starlette + asyncpg, same JSON | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for mine, theirs in zip(api, anchor, strict=True):
        label = f"{mine.connections} connection{'s' if mine.connections > 1 else ''}"
        rows.append(
            f"| throughput, {label} | {mine.per_second:,.0f} req/s | {theirs.per_second:,.0f} req/s | "
            f"{mine.per_second / theirs.per_second:.3f} |"
        )
        rows.append(
            f"| p50 / p99, {label} | {mine.p50_ms:.1f} / {mine.p99_ms:.1f} ms | "
            f"{theirs.p50_ms:.1f} / {theirs.p99_ms:.1f} ms | |"
        )
    return "\n".join(rows)


async def measure_both(args: Any, var: Path) -> tuple[list[Load], list[Load], list[str]]:
    async with scratch_city("postgres", args.pg_url, var, demo=SMOKE_DEMO if args.smoke else DemoPlan()) as city:
        await attach_photos("PC08", 2 * PAGE_SIZE)
        officer = (await officers(1, "PC08"))[0]
        body = json.dumps({"query": CONSOLE_PAGE, "variables": {"first": PAGE_SIZE}}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {city.token(officer)}"}
        async with (
            serving("the API", API, city.env, var / "api.log", cpus=args.server_cpus) as api,
            serving(
                "the anchor", "bench.anchors.reports_app:app", city.env, var / "anchor.log", cpus=args.server_cpus
            ) as anchor,
        ):
            api_request = Request(f"{api.url}/graphql", body, headers)
            anchor_request = Request(f"{anchor.url}/graphql", body, headers)
            await decide_some(await first_page(api, api_request), api, api_request)
            before = await first_page(api, api_request)
            check_same(before, await first_page(anchor, anchor_request), "before the load")
            anchor_loads = await measure(anchor, anchor_request, args)
            api_loads = await measure(api, api_request, args)
            check_same(await first_page(api, api_request), await first_page(anchor, anchor_request), "after the load")
            if before != await first_page(api, api_request):
                fail("the page changed under a read-only load")
        for load in [*api_loads, *anchor_loads]:
            if load.errors:
                fail(f"{load.errors} errors under load with {load.connections} connections")
        return api_loads, anchor_loads, [" ".join(api.command), " ".join(anchor.command)]


async def main() -> None:
    described = parser(__doc__)
    described.add_argument("--seconds", type=float, default=10, help="seconds of load per measurement (wrk)")
    described.add_argument("--connections", type=int, default=8, help="connections of the loaded measurement")
    add_cpu_arguments(described)
    args = described.parse_args()
    if not args.smoke:
        require_wrk()
    with tempfile.TemporaryDirectory(prefix="phananh-bench-reports-") as tmp:
        api_loads, anchor_loads, commands = await measure_both(args, Path(tmp))
    print(machine())
    print(f"servers (pinned to CPUs {args.server_cpus or 'any'}, load on {args.load_cpus or 'any'}):")
    for command in commands:
        print(f"  {command}")
    if args.smoke:
        print(SMOKE_NOTE)
    print(table(api_loads, anchor_loads))


if __name__ == "__main__":
    run(main())
