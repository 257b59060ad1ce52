"""`phananh seed --demo`: a realistic city's worth of reports, written the way the services would have written them.

Each report is routed by `services.routing.resolve_route`, numbered from the same per-year counter, given the due time
of its category, and walked through the workflow's state machine (assignment, acceptance, fine or resolution, or
rejection) with a Decision row and a timeline event per step, the answer to the citizen on every final decision, and
the denormalised columns the workflow keeps on Report. Only the insertion differs: rows go in by bulk inserts in one
transaction, because 16,000 reports one service call at a time would take minutes, and the statistics rollup is
rebuilt once at the end of that transaction rather than kept report by report.

Demo data is marked by its users, whose usernames start with `demo-`. When demo reports are already there, a run
changes nothing, so running it twice leaves one dataset; one seed always gives the same one. (Replacing a dataset is
left out: deleting 16,000 reports is slow on SQLite while report_event.report_id, decision.report_id and
report.duplicate_of_id have no index; start from a fresh database instead.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core.errors import InvalidInput
from models.agencies import Agency
from models.enums import ReportStatus
from models.reference import Category, Ward
from models.reports import Report
from services.demo import data as demo_data
from services.demo.data import DemoPlan, Fate
from services.demo.rows import DemoWriter, Draft
from services.reference.seed import load_data
from services.routing.resolution import Route, resolve_route
from services.statistics import rollup

DEMO_PREFIX = "demo-"
# The demo's two Zalo OAs (issue 19): the traffic police answer through the default OA, the road-maintenance board
# through its own, the `maintenance` OA that development settings have (ZALO_OAS).
MAINTENANCE_BOARD, MAINTENANCE_OA = "BDT-HTKT", "maintenance"


@dataclass(frozen=True)
class DemoSummary:
    reports: int
    accepted: int
    penalized: int
    fines_vnd: int
    impounded: int
    users: int
    created: bool


async def seed_demo(seed: int = 2023, plan: DemoPlan | None = None) -> DemoSummary:
    """Load the dataset `seed` draws for `plan` (the published figures by default), unless demo data is there."""
    plan = plan or DemoPlan()
    if plan.reports <= 0 or not 0 <= plan.impounded <= plan.penalized <= plan.accepted <= plan.reports:
        raise InvalidInput("A demo plan needs 0 <= impounded <= penalized <= accepted <= reports.", field="plan")
    existing = await Report.filter(reporter__username__startswith=DEMO_PREFIX).count()
    if existing:
        return DemoSummary(reports=existing, accepted=0, penalized=0, fines_vnd=0, impounded=0, users=0, created=False)
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo, not a secret
    categories = {category.code: category for category in await Category.all()}
    rules = {row["code"]: row for row in load_data("categories.json")}
    wards = list(await Ward.all().order_by("code"))
    drafts = _drafts(plan, rng, wards)
    routes = await _routes(drafts, categories)
    fates = demo_data.assign_fates(plan, [categories[draft.category_code].kind for draft in drafts], rng)
    impoundable = [
        i
        for i, fate in enumerate(fates)
        if fate is Fate.PENALIZED and rules[drafts[i].category_code].get("impoundable", False)
    ]
    if len(impoundable) < plan.impounded:
        raise InvalidInput("Too few penalties in categories that allow impoundment for this plan.", field="plan")
    impounded = set(rng.sample(impoundable, plan.impounded))
    async with in_transaction() as connection:
        await Agency.filter(code=MAINTENANCE_BOARD).using_db(connection).update(zalo_oa=MAINTENANCE_OA)
        writer = DemoWriter(rng, categories, rules, routes)
        await writer.write(connection, plan, drafts, fates, impounded)
        await rollup.rebuild(connection)
    return DemoSummary(
        reports=len(drafts),
        accepted=sum(fate in {Fate.ACCEPTED, Fate.PENALIZED, Fate.WARNED, Fate.FIXED} for fate in fates),
        penalized=sum(report.status is ReportStatus.PENALIZED for report in writer.reports),
        fines_vnd=sum(report.fine_amount_vnd or 0 for report in writer.reports),
        impounded=sum(report.vehicle_impounded for report in writer.reports),
        users=len(writer.users),
        created=True,
    )


def _drafts(plan: DemoPlan, rng: random.Random, wards: list[Ward]) -> list[Draft]:
    """Who reported what, where, when and how; oldest first."""
    weights = demo_data.ward_weights(wards)
    drafts = []
    for _ in range(plan.reports):
        ward = rng.choices(wards, weights=weights)[0]
        drafts.append(
            Draft(
                category_code=demo_data.category_code(rng),
                ward=ward,
                channel=demo_data.channel(rng),
                submitted_at=demo_data.submitted_at(plan, rng),
            )
        )
    drafts.sort(key=lambda draft: draft.submitted_at)
    return drafts


async def _routes(drafts: list[Draft], categories: dict[str, Category]) -> dict[tuple[str, str], Route]:
    """The live routing rules decide where each (category, ward) goes, exactly as for a submission."""
    routes: dict[tuple[str, str], Route] = {}
    for key in sorted({(draft.category_code, draft.ward.code) for draft in drafts}):
        route = await resolve_route(categories[key[0]], key[1])
        if route is None:
            raise InvalidInput(f"No agency handles {key[0]} in ward {key[1]}; run `phananh seed` first.", field="plan")
        routes[key] = route
    return routes
