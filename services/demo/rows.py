"""The rows of the demo dataset: staff and citizens, then each report's story through the workflow, bulk-inserted.

A story writes what `services.reports.submission` and `services.reports.workflow` would: the report routed and
numbered, SUBMITTED and ROUTED events, an assignment by the agency's admin, then one Decision and one DECIDED event
per move of the state machine, with accepted_at, first_decided_at, closed_at, the fine and the impoundment kept on
the report."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.clock import HANOI_TIME
from models.agencies import Agency
from models.custody import CustodyEntry
from models.decisions import Decision
from models.enums import CategoryKind, Channel, CustodyKind, DecisionOutcome, ReportEventKind, ReportStatus, Role
from models.events import ReportEvent
from models.reference import Category, Ward
from models.reports import Report
from models.users import User
from services.common.sql import Statement, dialect_of
from services.custody import log as custody_log
from services.demo import data as demo_data
from services.demo.data import DemoPlan, Fate
from services.reports import codes as report_codes
from services.reports import deadlines
from services.routing.resolution import Route

BATCH = 1000
ACCEPT_NOTES = {
    CategoryKind.VIOLATION: "Hình ảnh rõ biển số, thời điểm và hành vi; đủ căn cứ xác minh.",
    CategoryKind.INFRASTRUCTURE: "Đã kiểm tra hiện trường, đúng như phản ánh; chuyển đơn vị duy tu.",
}
WARNING = "Đã mời chủ phương tiện đến làm việc và nhắc nhở. Cảm ơn bạn đã phản ánh."
FIXED = "Đơn vị duy tu đã khắc phục xong. Cảm ơn bạn đã phản ánh."
FINAL_STATUS = {
    Fate.REJECTED: (DecisionOutcome.REJECT, ReportStatus.REJECTED),
    Fate.FIXED_DIRECTLY: (DecisionOutcome.RESOLVE, ReportStatus.RESOLVED),
    Fate.PENALIZED: (DecisionOutcome.PENALIZE, ReportStatus.PENALIZED),
    Fate.WARNED: (DecisionOutcome.RESOLVE, ReportStatus.RESOLVED),
    Fate.FIXED: (DecisionOutcome.RESOLVE, ReportStatus.RESOLVED),
}


@dataclass(frozen=True)
class Draft:
    category_code: str
    ward: Ward
    channel: Channel
    submitted_at: datetime


@dataclass
class Crew:
    """The demo staff of one agency: its admin assigns, its officers decide."""

    admin: User
    officers: list[User] = field(default_factory=list)


class DemoWriter:
    """Builds every row in memory (cheap), then writes each table with a few bulk inserts."""

    def __init__(
        self,
        rng: random.Random,
        categories: dict[str, Category],
        rules: dict[str, dict[str, Any]],
        routes: dict[tuple[str, str], Route],
    ) -> None:
        self.rng, self.categories, self.rules, self.routes = rng, categories, rules, routes
        self.users: list[User] = []
        self.reports: list[Report] = []
        self.decisions: list[Decision] = []
        self.events: list[ReportEvent] = []
        # Each report's chain of custody, as the submission and the workflow would have written it.
        self.custody: dict[uuid.UUID, list[CustodyEntry]] = {}

    async def write(
        self, connection: BaseDBAsyncClient, plan: DemoPlan, drafts: list[Draft], fates: list[Fate], impounded: set[int]
    ) -> None:
        crews = self._crews(drafts)
        citizens = [self._user(Role.CITIZEN, f"demo-citizen-{n:05d}") for n in range(max(1, plan.reports // 3))]
        codes = await self._codes(connection, drafts)
        for index, (draft, fate) in enumerate(zip(drafts, fates, strict=True)):
            # A few people report a lot: the square skews the pick towards the first citizens.
            reporter = citizens[int(len(citizens) * self.rng.random() ** 2)]
            self._story(draft, fate, codes[index], reporter, crews, index in impounded)
        await User.bulk_create(self.users, batch_size=BATCH, using_db=connection)
        await Report.bulk_create(self.reports, batch_size=BATCH, using_db=connection)
        await Decision.bulk_create(self.decisions, batch_size=BATCH, using_db=connection)
        await ReportEvent.bulk_create(self.events, batch_size=BATCH, using_db=connection)
        chains = [entry for chain in self.custody.values() for entry in chain]
        await CustodyEntry.bulk_create(chains, batch_size=BATCH, using_db=connection)
        await self._stamp_last_change(connection)

    async def _stamp_last_change(self, connection: BaseDBAsyncClient) -> None:
        """A report's updated_at is its last change, as the workflow leaves it; a bulk insert stamps the insertion
        time instead (auto_now), so it is set again here, by primary key."""
        last: dict[uuid.UUID, datetime] = {}
        for event in self.events:
            last[event.report_id] = max(event.at, last.get(event.report_id, event.at))
        dialect = dialect_of(connection)
        update = Statement("UPDATE report SET updated_at = ? WHERE id = ?").numbered(dialect)
        rows = [[at, str(key) if dialect == "sqlite" else key] for key, at in last.items()]
        await connection.execute_many(update.sql, rows)

    def _user(self, role: Role, username: str, agency: Agency | None = None) -> User:
        user = User(
            id=demo_data.uuid_from(self.rng),
            role=role,
            agency_id=None if agency is None else agency.id,
            username=username,
            full_name=demo_data.person_name(self.rng),
            phone=f"09{self.rng.randrange(10**8):08d}" if role is Role.CITIZEN else None,
        )
        self.users.append(user)
        return user

    def _crews(self, drafts: list[Draft]) -> dict[uuid.UUID, Crew]:
        """An admin per receiving agency, and one officer per 300 of its reports (one to six)."""
        load = Counter(self.routes[(d.category_code, d.ward.code)].agency.id for d in drafts)
        agencies = sorted({route.agency.id: route.agency for route in self.routes.values()}.values(), key=_code)
        crews = {}
        for agency in agencies:
            prefix = f"demo-{agency.code.lower()}"
            crew = Crew(admin=self._user(Role.AGENCY_ADMIN, f"{prefix}-admin", agency))
            for n in range(1, min(6, max(1, load[agency.id] // 300)) + 1):
                crew.officers.append(self._user(Role.OFFICER, f"{prefix}-officer-{n}", agency))
            crews[agency.id] = crew
        return crews

    async def _codes(self, connection: BaseDBAsyncClient, drafts: list[Draft]) -> list[str]:
        """Numbers from the live per-year numbering (`services.reports.codes`), taken once per year for the count
        needed, handed out in submission order."""
        years = [draft.submitted_at.astimezone(HANOI_TIME).year for draft in drafts]
        numbers: dict[int, Iterator[int]] = {}
        for year, count in sorted(Counter(years).items()):
            await report_codes.prepare(connection, year)
            numbers[year] = iter(await report_codes.take(connection, year, count))
        return [report_codes.code(year, next(numbers[year])) for year in years]

    def _story(
        self, draft: Draft, fate: Fate, code: str, reporter: User, crews: dict[uuid.UUID, Crew], impound: bool
    ) -> None:
        rng, category = self.rng, self.categories[draft.category_code]
        route = self.routes[(draft.category_code, draft.ward.code)]
        at = draft.submitted_at
        street = rng.choice(demo_data.STREETS)
        ranges = self.rules[category.code].get("fineRangesVnd", {})
        car = demo_data.is_car(rng, category.code, ranges) if ranges else False
        plate = demo_data.plate(rng, car) if category.kind is CategoryKind.VIOLATION else None
        report = Report(
            id=demo_data.uuid_from(rng),
            code=code,
            status=ReportStatus.ROUTED,
            category_id=category.code,
            description=f"{category.name} trên phố {street}" + (f", xe biển số {plate}." if plate else "."),
            occurred_at=at - timedelta(minutes=rng.randrange(5, 240)),
            submitted_at=at,
            latitude=round(draft.ward.latitude + rng.gauss(0, 0.004), 6),
            longitude=round(draft.ward.longitude + rng.gauss(0, 0.004), 6),
            address=f"Số {rng.randrange(1, 300)} {street}",
            ward_id=draft.ward.code,
            plate_number=plate,
            channel=draft.channel,
            reporter_id=reporter.id,
            agency_id=route.agency.id,
            routing_rule_id=route.rule.id,
            due_at=at + timedelta(hours=category.service_level_hours),
        )
        report.derive()  # bulk_create skips `save`, which sets the derived columns
        self.reports.append(report)
        self.custody[report.id] = custody_log.opening(report, [], at=at)
        self._event(report, ReportEventKind.SUBMITTED, at, reporter.id, channel=draft.channel.value)
        self._event(report, ReportEventKind.ROUTED, at, None, agencyId=str(route.agency.id), reason=route.reason)
        if fate is Fate.ROUTED:
            return
        crew = crews[route.agency.id]
        officer = rng.choice(crew.officers)
        first = at + demo_data.hours(rng, 30, 0.9, 24 * 30)
        assigned_at = at + (first - at) * rng.uniform(0.1, 0.5)
        self._event(report, ReportEventKind.ASSIGNED, assigned_at, crew.admin.id, officerId=str(officer.id))
        report.status, report.assignee_id = ReportStatus.ASSIGNED, officer.id
        if fate is Fate.ASSIGNED:
            return
        report.first_decided_at = first
        decided_at = first
        if fate in (Fate.ACCEPTED, Fate.PENALIZED, Fate.WARNED, Fate.FIXED):
            report.status, report.accepted_at = ReportStatus.ACCEPTED, first
            self._decide(report, officer, DecisionOutcome.ACCEPT, first, note=ACCEPT_NOTES[category.kind])
            report.verification_due_at = deadlines.verification_deadline(first)
            if fate is Fate.ACCEPTED:
                return
            decided_at = first + demo_data.hours(rng, 72, 0.7, 24 * 45)
            report.legal_deadline_met = decided_at <= report.verification_due_at
        outcome, report.status = FINAL_STATUS[fate]
        report.closed_at = decided_at
        if fate is Fate.PENALIZED:
            amount = demo_data.fine(rng, ranges, car)
            answer = f"Đã xử phạt chủ phương tiện {amount:,} đồng".replace(",", ".")
            answer += ", phương tiện bị tạm giữ theo quy định." if impound else "."
            report.fine_amount_vnd, report.vehicle_impounded = amount, impound
            self._decide(
                report,
                officer,
                outcome,
                decided_at,
                answer=answer + " Cảm ơn bạn đã phản ánh.",
                fine=amount,
                impound=impound,
                basis=_legal_basis(ranges, car),
            )
        else:
            answer = {Fate.REJECTED: rng.choice(demo_data.REJECTIONS), Fate.WARNED: WARNING}.get(fate, FIXED)
            self._decide(report, officer, outcome, decided_at, answer=answer)

    def _decide(
        self,
        report: Report,
        officer: User,
        outcome: DecisionOutcome,
        at: datetime,
        *,
        note: str = "",
        answer: str = "",
        fine: int | None = None,
        impound: bool = False,
        basis: str = "",
    ) -> None:
        decision = Decision(
            id=demo_data.uuid_from(self.rng),
            report_id=report.id,
            outcome=outcome,
            note=note,
            response_to_citizen=answer,
            fine_amount_vnd=fine,
            vehicle_impounded=impound,
            legal_basis=basis,
            decided_by_id=officer.id,
            decided_at=at,
        )
        self.decisions.append(decision)
        self._event(report, ReportEventKind.DECIDED, at, officer.id, outcome=outcome.value)
        chain = self.custody[report.id]
        detail = {"decisionId": str(decision.id), "outcome": outcome.value, "status": report.status.value}
        chain.append(custody_log.following(chain[-1], CustodyKind.DECIDED, actor_id=officer.id, detail=detail, at=at))

    def _event(
        self, report: Report, kind: ReportEventKind, at: datetime, actor_id: uuid.UUID | None, **data: object
    ) -> None:
        self.events.append(ReportEvent(report_id=report.id, kind=kind, actor_id=actor_id, at=at, data=data))


def _legal_basis(ranges: dict[str, Any], car: bool) -> str:
    """The decree and the article for this vehicle: the article text lists motorbikes and cars separately."""
    parts = str(ranges["article"]).split("; ")
    wanted = "ô tô" if car else "mô tô"
    article = next((part for part in parts if wanted in part), parts[0])
    return f"Nghị định {ranges['decree']}, {article}"


def _code(agency: Agency) -> str:
    return agency.code
