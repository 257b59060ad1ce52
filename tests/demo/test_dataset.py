"""`phananh seed --demo`: the published figures through `statistics`, stories the state machine allows, and repeats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from tortoise import connections

from models.decisions import Decision
from models.enums import CategoryKind, CustodyKind, ReportStatus
from models.reference import Category
from models.reports import Report
from services.custody.verify import verify_reports
from services.demo.data import DemoPlan
from services.demo.dataset import seed_demo
from services.reference.seed import load_data
from services.reports import workflow
from tests.helpers.databases import OPERATIONAL_TABLES
from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data

SMALL = DemoPlan(reports=600, accepted=180, penalized=120, impounded=5)
TOTALS = (
    "query { statistics { audience received accepted rejected penalized resolved finesTotalVnd vehiclesImpounded } }"
)


async def test_the_demo_reproduces_the_published_figures(client: httpx.AsyncClient, admin: Caller) -> None:
    summary = await seed_demo()
    assert summary.created
    for token in (None, admin.token):
        figures = only_data(await gql(client, TOTALS, {}, token))["statistics"]
        assert figures["received"] == 16_000
        assert figures["accepted"] == 4_758
        assert figures["penalized"] == 3_161
        assert figures["finesTotalVnd"] > 4_000_000_000
        assert figures["vehiclesImpounded"] == 132
    again = await seed_demo()
    assert (again.created, again.reports) == (False, 16_000)
    assert await Report.all().count() == 16_000


async def test_demo_stories_follow_the_workflow() -> None:
    await seed_demo(seed=7, plan=SMALL)
    kinds = {category.code: category.kind for category in await Category.all()}
    ranges = {row["code"]: row.get("fineRangesVnd") for row in load_data("categories.json")}
    decisions: dict[Any, list[Decision]] = {}
    for decision in await Decision.all().order_by("decided_at"):
        decisions.setdefault(decision.report_id, []).append(decision)
    reports = await Report.all()
    assert len(reports) == SMALL.reports
    for report in reports:
        status = ReportStatus.ASSIGNED if report.assignee_id is not None else ReportStatus.ROUTED
        steps = decisions.get(report.id, [])
        for decision in steps:
            status = workflow.next_status(status, decision.outcome, kinds[report.category_id])
            assert decision.decided_at >= report.submitted_at
        assert status is report.status
        assert (report.accepted_at is not None) == any(d.outcome.value == "ACCEPT" for d in steps)
        assert report.first_decided_at == (steps[0].decided_at if steps else None)
        assert report.due_at - report.submitted_at >= timedelta(hours=24)
        if status in workflow.FINAL:
            assert steps[-1].response_to_citizen
            assert report.closed_at == steps[-1].decided_at
        if status is ReportStatus.PENALIZED:
            vehicle_ranges = [value for key, value in ranges[report.category_id].items() if key in ("car", "motorbike")]
            assert any(low <= report.fine_amount_vnd <= high for low, high in vehicle_ranges)
            assert steps[-1].fine_amount_vnd == report.fine_amount_vnd
            assert steps[-1].legal_basis
        else:
            assert report.fine_amount_vnd is None
            assert not report.vehicle_impounded
        assert kinds[report.category_id] is CategoryKind.VIOLATION or report.plate_number is None


async def fingerprint() -> list[tuple[Any, ...]]:
    rows = (
        await Report.all()
        .order_by("submitted_at", "id")
        .values_list(
            "id", "category_id", "ward_id", "channel", "status", "fine_amount_vnd", "submitted_at", "first_decided_at"
        )
    )
    return [tuple(row) for row in rows]


async def test_one_seed_gives_one_dataset() -> None:
    await seed_demo(seed=11, plan=SMALL)
    first = await fingerprint()
    connection = connections.get("default")
    for table in OPERATIONAL_TABLES:
        await connection.execute_query(f"DELETE FROM {table}")
    await seed_demo(seed=11, plan=SMALL)
    assert await fingerprint() == first
    for table in OPERATIONAL_TABLES:
        await connection.execute_query(f"DELETE FROM {table}")
    await seed_demo(seed=12, plan=SMALL)
    assert await fingerprint() != first


async def test_every_demo_report_carries_an_intact_chain_of_custody(app: Any, admin: Caller) -> None:
    """As the submission and the workflow would have written it: `phananh custody verify` passes on the demo."""
    await seed_demo(seed=11, plan=SMALL)
    checked = [verification async for verification in verify_reports(app.state.storage)]
    assert len(checked) == SMALL.reports
    assert [v.broken.describe() for v in checked if v.broken is not None] == []
    decided = await Decision.all().count()
    assert sum(1 for v in checked for entry in v.entries if entry.kind == CustodyKind.DECIDED) == decided
