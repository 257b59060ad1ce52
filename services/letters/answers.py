"""Written answers on request: the provider of data may ask to be told in writing how it was verified and handled
(Decree 61/2026/NĐ-CP). A report's author asks once (`request_written_answer`, idempotent); the letter is available
as soon as the report is decided (REJECTED, PENALIZED or RESOLVED: verification and handling are over), at once when
it already is, and is produced afresh at each download from the decision as it stands (`produce_letter`, the
`letter` kind of `services.downloads`).

Who: the author only. Staff see that a letter was asked for (an ANSWER_REQUESTED event on the timeline), since the
agency owes it; everyone else, and the author before asking, sees nothing of it.

What a letter says: the agency, the report's code and category, when it was received, accepted and decided, the
outcome, the legal basis (the category's legal reference and the penalty's), the fine and impoundment, and the
answer written to the citizen. It names no person: not the author (the reader is the author, and the letter may be
passed on), not the officers (their names stay inside the agency, as on the timeline), not the plate, which points
to the vehicle's owner.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.errors import NotFound
from models.agencies import Agency
from models.decisions import Decision
from models.enums import ReportEventKind
from models.outbox import OutboxKind
from models.reference import Category
from models.reports import Report
from services.common import policies
from services.downloads import Download, Resources
from services.events import outbox
from services.letters.render import Letter, render
from services.reports import timeline
from services.reports.scope import find_visible, get_visible
from services.reports.status import FINAL

KIND = "letter"


@dataclass(frozen=True)
class WrittenAnswer:
    requested_at: datetime
    available: bool


def written_answer(principal: Principal, report: Report) -> WrittenAnswer | None:
    """The author's view of their request; None for anybody else and before a request."""
    if report.reporter_id != principal.user_id or report.written_answer_requested_at is None:
        return None
    return WrittenAnswer(report.written_answer_requested_at, report.status in FINAL)


async def request_written_answer(principal: Principal, report_id: str, now: datetime | None = None) -> Report:
    """The author asks for the written answer; asking again changes nothing. Another person's report is NOT_FOUND,
    like every report one may not see."""
    policies.require(policies.is_citizen(principal), "Only a report's author asks for its written answer.")
    report = await get_visible(principal, report_id)
    if report.written_answer_requested_at is not None:
        return report
    now = now or clock.now()
    async with in_transaction() as connection:
        asked = (
            await Report.filter(id=report.id, written_answer_requested_at=None)
            .using_db(connection)
            .update(written_answer_requested_at=now, updated_at=now)
        )
        if asked == 1:
            await timeline.record(connection, report.id, ReportEventKind.ANSWER_REQUESTED, now, principal.user_id)
            await outbox.record(connection, OutboxKind.UPDATED, report.id, report.agency_id, report.reporter_id)
    return await Report.get(id=report.id)


async def produce_letter(params: Mapping[str, str], principal: Principal, resources: Resources) -> Download:
    """The `letter` download: checked again for the principal as they are now (the author, who asked, of a decided
    report), then rendered off the event loop."""
    report = await find_visible(principal, params.get("report", ""))
    if report is None or report.reporter_id != principal.user_id:
        raise NotFound("There is no such report.", field="reportId")
    answer = written_answer(principal, report)
    if answer is None or not answer.available:
        raise NotFound("There is no written answer for this report yet.", field="reportId")
    pdf = await asyncio.to_thread(render, await _letter(report))
    return Download(filename=f"{report.code}-tra-loi.pdf", content_type="application/pdf", chunks=_once(pdf))


async def _letter(report: Report) -> Letter:
    decision = await Decision.filter(report_id=report.id).order_by("-decided_at").first()
    assert decision is not None, "a decided report has its decision"
    category = await Category.get(code=report.category_id)
    agency = await Agency.get(id=report.agency_id)
    return Letter(
        agency_name=agency.name,
        code=report.code,
        category_name=category.name,
        received_at=report.submitted_at,
        accepted_at=report.accepted_at,
        decided_at=report.closed_at or decision.decided_at,
        status=report.status,
        legal_reference=category.legal_reference,
        legal_basis=decision.legal_basis,
        fine_amount_vnd=report.fine_amount_vnd,
        vehicle_impounded=report.vehicle_impounded,
        answer=decision.response_to_citizen,
    )


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
