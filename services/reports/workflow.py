"""The life of a report after submission: one state machine, and the two operations that move it.

    ROUTED ──assign──> ASSIGNED          (either) ──transfer──> ROUTED at another agency
    ROUTED | ASSIGNED ──ACCEPT──> ACCEPTED ──PENALIZE (violations)──> PENALIZED
                                          └─RESOLVE──> RESOLVED
    ROUTED | ASSIGNED ──REJECT──> REJECTED
    ROUTED | ASSIGNED ──RESOLVE (infrastructure only)──> RESOLVED

An infrastructure fault may be resolved directly because fixing it is its verification; a violation is resolved
without a fine only after it was accepted. REJECTED, PENALIZED and RESOLVED are final. Anything else is a CONFLICT.
Every move is a conditional update on the status it started from, so two officers deciding at once cannot both win.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.errors import Conflict, InvalidInput
from core.ids import parse_uuid
from models.agencies import Agency
from models.decisions import Decision
from models.enums import CategoryKind, CustodyKind, DecisionOutcome, ReportEventKind, ReportStatus
from models.outbox import OutboxKind
from models.reference import Category
from models.reports import Report
from models.users import User
from services.common import policies
from services.custody import log as custody_log
from services.events import outbox
from services.notifications.queue import queue_decision, queue_transfer
from services.reports import deadlines, timeline
from services.reports.scope import get_visible
from services.reports.status import FINAL, UNDECIDED
from services.statistics import rollup

ANY_KIND = frozenset(CategoryKind)
TEXT_MAX = 2000
# The highest fine one decision may record, in đồng: the ceiling the Law on Handling Administrative Violations
# (art. 24) sets for road traffic, 75 million for a person and twice that for an organisation (the legal team should
# confirm it with the category ranges). It keeps a mistyped amount (a few zeros too many) out of the public totals.
FINE_CEILING_VND = 150_000_000

# (outcome, from status) -> (to status, the category kinds for which the move is allowed)
TRANSITIONS: dict[tuple[DecisionOutcome, ReportStatus], tuple[ReportStatus, frozenset[CategoryKind]]] = {
    **{(DecisionOutcome.ACCEPT, status): (ReportStatus.ACCEPTED, ANY_KIND) for status in UNDECIDED},
    **{(DecisionOutcome.REJECT, status): (ReportStatus.REJECTED, ANY_KIND) for status in UNDECIDED},
    **{
        (DecisionOutcome.RESOLVE, status): (ReportStatus.RESOLVED, frozenset({CategoryKind.INFRASTRUCTURE}))
        for status in UNDECIDED
    },
    (DecisionOutcome.RESOLVE, ReportStatus.ACCEPTED): (ReportStatus.RESOLVED, ANY_KIND),
    (DecisionOutcome.PENALIZE, ReportStatus.ACCEPTED): (ReportStatus.PENALIZED, frozenset({CategoryKind.VIOLATION})),
}


@dataclass(frozen=True)
class DecisionDraft:
    outcome: DecisionOutcome
    note: str = ""
    response_to_citizen: str = ""
    fine_amount_vnd: int | None = None
    vehicle_impounded: bool = False
    legal_basis: str = ""


def next_status(status: ReportStatus, outcome: DecisionOutcome, kind: CategoryKind) -> ReportStatus:
    move = TRANSITIONS.get((outcome, status))
    if move is None or kind not in move[1]:
        raise Conflict(f"A {kind.value.lower()} report that is {status.value} cannot get {outcome.value}.")
    return move[0]


async def decide_report(
    principal: Principal, report_id: str, draft: DecisionDraft, now: datetime | None = None
) -> Report:
    """Officers and agency admins decide the reports of their own agency; city admins oversee but do not decide."""
    policies.require(policies.is_agency_staff(principal), "Only the staff of the agency handling a report decide it.")
    now = now or clock.now()
    report = await get_visible(principal, report_id)
    category = await Category.get(code=report.category_id)
    status = next_status(report.status, draft.outcome, category.kind)
    _check_decision(draft, final=status in FINAL)
    changes: dict[str, Any] = {"status": status, "updated_at": now, "first_decided_at": report.first_decided_at or now}
    if status is ReportStatus.ACCEPTED:
        changes.update(accepted_at=now, verification_due_at=deadlines.verification_deadline(now))
    changes["legal_deadline_met"] = deadlines.deadline_met(report, now, status)
    if status in FINAL:
        changes["closed_at"] = now
    if status is ReportStatus.PENALIZED:
        changes.update(fine_amount_vnd=draft.fine_amount_vnd, vehicle_impounded=draft.vehicle_impounded)
    async with in_transaction() as connection:
        await _move(connection, report, changes)
        decision = await Decision.create(
            report_id=report.id,
            outcome=draft.outcome,
            note=draft.note.strip(),
            response_to_citizen=draft.response_to_citizen.strip(),
            fine_amount_vnd=draft.fine_amount_vnd,
            vehicle_impounded=draft.vehicle_impounded,
            legal_basis=draft.legal_basis.strip(),
            decided_by_id=principal.user_id,
            decided_at=now,
            using_db=connection,
        )
        await timeline.record(
            connection, report.id, ReportEventKind.DECIDED, now, principal.user_id, outcome=draft.outcome.value
        )
        await custody_log.append(
            report.id,
            CustodyKind.DECIDED,
            actor_id=principal.user_id,
            detail={"decisionId": str(decision.id), "outcome": draft.outcome.value, "status": status.value},
            connection=connection,
            at=now,
        )
        await outbox.record(connection, OutboxKind.UPDATED, report.id, report.agency_id, report.reporter_id)
        await queue_decision(connection, report, draft.outcome, status, draft.response_to_citizen.strip(), now)
    return await Report.get(id=report.id)


def _check_decision(draft: DecisionDraft, *, final: bool) -> None:
    for name, text in (("note", draft.note), ("responseToCitizen", draft.response_to_citizen)):
        if len(text) > TEXT_MAX:
            raise InvalidInput(f"{name} must be at most {TEXT_MAX} characters.", field=f"input.{name}")
    if final and not draft.response_to_citizen.strip():
        raise InvalidInput("A final decision needs an answer to the citizen.", field="input.responseToCitizen")
    if draft.outcome is DecisionOutcome.PENALIZE:
        if draft.fine_amount_vnd is None or draft.fine_amount_vnd <= 0:
            raise InvalidInput("A penalty needs a fine above zero, in đồng.", field="input.fineAmountVnd")
        if draft.fine_amount_vnd > FINE_CEILING_VND:
            raise InvalidInput(
                f"A fine is at most {FINE_CEILING_VND:,} đồng.", field="input.fineAmountVnd", maxVnd=FINE_CEILING_VND
            )
        if not draft.legal_basis.strip():
            raise InvalidInput("A penalty needs its legal basis.", field="input.legalBasis")
    elif draft.fine_amount_vnd is not None or draft.vehicle_impounded:
        raise InvalidInput("Only a PENALIZE decision carries a fine or an impoundment.", field="input.fineAmountVnd")


async def assign_report(
    principal: Principal,
    report_id: str,
    agency_id: str | None,
    officer_id: str | None,
    reason: str | None,
    now: datetime | None = None,
) -> Report:
    """Agency admins assign their own reports to their officers, or transfer them (with a reason) to another active
    agency, whose admin then assigns; city admins may do both anywhere."""
    policies.require(policies.may_assign(principal), "Only agency admins and admins assign reports.")
    now = now or clock.now()
    report = await get_visible(principal, report_id)
    target = await _target_agency(agency_id) if agency_id is not None else None
    transfer = target is not None and target.id != report.agency_id
    agency_after: uuid.UUID = target.id if target is not None else report.agency_id
    why = (reason or "").strip()
    if transfer:
        if report.status not in UNDECIDED:
            raise Conflict("Only a report not yet decided can be transferred.")
        if not why or len(why) > TEXT_MAX:
            raise InvalidInput(f"A transfer needs a reason (up to {TEXT_MAX} characters).", field="reason")
        if officer_id is not None and not policies.is_admin(principal):
            raise InvalidInput("The receiving agency assigns its own officers.", field="officerId")
    elif report.status in FINAL:
        raise Conflict("This report is closed.")
    elif officer_id is None:
        raise InvalidInput("Name an officer, or another agency to transfer to.", field="officerId")
    officer = await _officer(officer_id, agency_after) if officer_id is not None else None
    status = report.status
    if transfer:
        status = ReportStatus.ASSIGNED if officer else ReportStatus.ROUTED
    elif status is ReportStatus.ROUTED:
        status = ReportStatus.ASSIGNED
    changes = {"status": status, "agency_id": agency_after, "updated_at": now}
    changes["assignee_id"] = officer.id if officer else (None if transfer else report.assignee_id)
    async with in_transaction() as connection:
        await _move(connection, report, changes)
        kind = OutboxKind.TRANSFERRED if transfer else OutboxKind.UPDATED
        await outbox.record(connection, kind, report.id, agency_after, report.reporter_id)
        if transfer:
            await custody_log.append(
                report.id,
                CustodyKind.TRANSFERRED,
                actor_id=principal.user_id,
                detail={"fromAgencyId": str(report.agency_id), "toAgencyId": str(agency_after)},
                connection=connection,
                at=now,
            )
            await timeline.record(
                connection,
                report.id,
                ReportEventKind.TRANSFERRED,
                now,
                principal.user_id,
                fromAgencyId=str(report.agency_id),
                toAgencyId=str(agency_after),
                reason=why,
            )
            assert target is not None, "a transfer has a target agency"
            sender = await Agency.filter(id=report.agency_id).using_db(connection).get()
            await queue_transfer(connection, report, sender, target, now)
        if officer is not None:
            await timeline.record(
                connection, report.id, ReportEventKind.ASSIGNED, now, principal.user_id, officerId=str(officer.id)
            )
    return await Report.get(id=report.id)


async def _target_agency(agency_id: str) -> Agency:
    parsed = parse_uuid(agency_id)
    agency = None if parsed is None else await Agency.get_or_none(id=parsed, active=True)
    if agency is None:
        raise InvalidInput("There is no active agency with this id.", field="agencyId")
    return agency


async def _officer(officer_id: str, agency_id: uuid.UUID) -> User:
    parsed = parse_uuid(officer_id)
    officer = (
        None
        if parsed is None
        else await User.get_or_none(
            id=parsed, agency_id=agency_id, role__in=list(policies.AGENCY_STAFF), is_active=True
        )
    )
    if officer is None:
        raise InvalidInput("This person is not active staff of the agency handling the report.", field="officerId")
    return officer


async def _move(connection: Any, report: Report, changes: dict[str, Any]) -> None:
    """Apply `changes` only if the report is still as we read it; otherwise someone else moved it first."""
    moved = (
        await Report.filter(id=report.id, status=report.status, agency_id=report.agency_id)
        .using_db(connection)
        .update(**changes)
    )
    if moved != 1:
        raise Conflict("The report changed meanwhile; reload it and try again.")
    before = rollup.Facts.of_report(report)
    await rollup.apply(connection, before, rollup.Facts.of_report(report, changes))
