"""Reports as frontends read them: where, what, who (as far as the caller may see), decisions and timeline."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import strawberry

from auth.principal import Principal
from core import clock
from models.decisions import Decision
from models.events import ReportEvent
from models.reports import Report
from models.users import User
from schema.accounts.types import UserType
from schema.agencies.types import AgencyType
from schema.base.enums import Channel, DecisionOutcome, ReportEventKind, ReportStatus
from schema.base.info import Info
from schema.base.node import NodeInterface
from schema.base.pagination import PageInfoType
from schema.base.permissions import require_principal
from schema.base.scalars import BigInt
from schema.custody.types import CustodyType, ReceiptType
from schema.intake.types import ProviderType, provider_of
from schema.letters.types import WrittenAnswerType
from schema.media.types import MediaType
from schema.notifications.types import ReportNotificationType
from schema.reference.types import CategoryType, WardType
from schema.reports.loaders import PageRelations
from services.common import policies
from services.common.pagination import Page
from services.custody import queries as custody_queries
from services.custody import receipts as custody_receipts
from services.reference.cache import reference_cache
from services.reports.scope import may_see_actor, may_see_internals, may_see_reporter
from services.reports.status import due_at, is_overdue


@strawberry.type(name="ReportLocation", description="Where it happened.")
class LocationType:
    latitude: float | None = strawberry.field(description="WGS 84 latitude.")
    longitude: float | None = strawberry.field(description="WGS 84 longitude.")
    address: str = strawberry.field(description="Address as the citizen wrote it; may be empty.")
    ward_code: strawberry.Private[str]

    @strawberry.field(description="The ward or commune.", graphql_type=WardType)
    def ward(self, info: Info) -> WardType | Awaitable[WardType]:
        """At once from the reference cache (no task, no batch); through the loader when the cache lacks it."""
        kept = reference_cache.ward(self.ward_code)
        return WardType.from_model(kept) if kept is not None else self._load_ward(info)

    async def _load_ward(self, info: Info) -> WardType:
        ward = await info.context.loaders.reports.ward_by_code.load(self.ward_code)
        assert ward is not None, "a report's ward is a foreign key"
        return WardType.from_model(ward)


@strawberry.type(name="Reporter", description="The citizen who sent a report, as the handling agency sees them.")
class ReporterType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    full_name: str = strawberry.field(description="Name, as given; may be empty.")
    phone: str | None = strawberry.field(description="Verified phone number, if known.")

    @classmethod
    def from_model(cls, user: User) -> ReporterType:
        return cls(id=strawberry.ID(str(user.id)), full_name=user.full_name, phone=user.phone)


@strawberry.type(name="Decision", description="One decision of the agency about a report, with its answer.")
class DecisionType(NodeInterface):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    outcome: DecisionOutcome = strawberry.field(description="What was decided.")
    response_to_citizen: str = strawberry.field(description="The answer the citizen reads; empty on ACCEPT.")
    fine_amount_vnd: BigInt | None = strawberry.field(description="The fine in whole đồng (PENALIZE only).")
    vehicle_impounded: bool = strawberry.field(description="Whether the vehicle was impounded (PENALIZE only).")
    legal_basis: str = strawberry.field(description="The legal text the penalty rests on (PENALIZE only).")
    decided_at: datetime = strawberry.field(description="When it was decided.")
    internal_note: strawberry.Private[str]

    @strawberry.field(description="The officer's internal note; null for citizens.")
    def note(self, info: Info) -> str | None:
        return self.internal_note if may_see_internals(info.context.principal) else None

    @classmethod
    def from_model(cls, decision: Decision) -> DecisionType:
        return cls(
            id=strawberry.ID(str(decision.id)),
            outcome=decision.outcome,
            response_to_citizen=decision.response_to_citizen,
            fine_amount_vnd=decision.fine_amount_vnd,
            vehicle_impounded=decision.vehicle_impounded,
            legal_basis=decision.legal_basis,
            decided_at=decision.decided_at,
            internal_note=decision.note,
        )


@strawberry.type(name="TimelineEvent", description="One change of a report: what, when, by whom.")
class TimelineEventType:
    kind: ReportEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When.")
    outcome: DecisionOutcome | None = strawberry.field(description="For DECIDED: the outcome.")
    reason: str | None = strawberry.field(
        description="For ROUTED and TRANSFERRED: why the report went there; for DEADLINE_EXTENDED: why verification "
        "needs longer."
    )
    until: datetime | None = strawberry.field(description="For DEADLINE_EXTENDED: the new verification deadline.")
    actor_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Who did it: null for the system, and for citizens unless it was themselves.")
    async def actor(self, info: Info) -> UserType | None:
        if self.actor_id is None or not may_see_actor(require_principal(info), self.actor_id):
            return None
        user = await info.context.loaders.reports.user_by_id.load(self.actor_id)
        return None if user is None else UserType.from_model(user)

    @classmethod
    def from_model(cls, event: ReportEvent) -> TimelineEventType:
        data: dict[str, Any] = event.data or {}
        outcome = data.get("outcome")
        return cls(
            kind=event.kind,
            at=event.at,
            outcome=DecisionOutcome(outcome) if outcome else None,
            reason=data.get("reason"),
            until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
            actor_id=event.actor_id,
        )


@strawberry.type(
    name="VerificationExtension", description="The one extension of a verification's legal deadline (art. 21)."
)
class VerificationExtensionType:
    until: datetime = strawberry.field(description="The new deadline: the end of its last day, Hanoi time.")
    reason: str = strawberry.field(description="Why verification needs longer, as the officer wrote it.")
    at: datetime = strawberry.field(description="When it was extended.")
    actor_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Who extended it: null for citizens, like timeline actors.")
    async def by(self, info: Info) -> UserType | None:
        if self.actor_id is None or not may_see_actor(require_principal(info), self.actor_id):
            return None
        user = await info.context.loaders.reports.user_by_id.load(self.actor_id)
        return None if user is None else UserType.from_model(user)

    @classmethod
    def of_report(cls, report: Report) -> VerificationExtensionType | None:
        if report.verification_extended_at is None or report.verification_due_at is None:
            return None
        return cls(
            until=report.verification_due_at,
            reason=report.verification_extension_reason or "",
            at=report.verification_extended_at,
            actor_id=report.verification_extended_by_id,
        )


@strawberry.type(name="Report", description="A citizen's report of a traffic violation or a road fault.")
class ReportType(NodeInterface):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    code: str = strawberry.field(description="Human-readable code, PA-<year>-<6 digits>, for phone calls and letters.")
    status: ReportStatus = strawberry.field(description="Where it stands in the workflow.")
    description: str = strawberry.field(description="What the citizen wrote.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    submitted_at: datetime = strawberry.field(description="When it was received.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    location: LocationType = strawberry.field(description="Where it happened.")
    plate_number: str | None = strawberry.field(description="Plate in canonical form (29A-123.45), if given.")
    channel: Channel = strawberry.field(description="Where it came from.")
    due_at: datetime | None = strawberry.field(
        description="What is due next: before acceptance, the first decision (the category's service level); once "
        "accepted, the end of verification (`verificationDueAt`)."
    )
    overdue: bool = strawberry.field(
        description="`dueAt` has passed with no first decision yet, or with the report still in verification "
        "(ACCEPTED)."
    )
    verification_due_at: datetime | None = strawberry.field(
        description="Once accepted: the legal deadline of verification, the end (24:00 Hanoi time) of the 30th day "
        "after acceptance or of the extension's last day; null before acceptance."
    )
    verification_extension: VerificationExtensionType | None = strawberry.field(
        description="The one extension of the verification deadline, if any."
    )
    category_code: strawberry.Private[str]
    agency_id: strawberry.Private[uuid.UUID]
    assignee_id: strawberry.Private[uuid.UUID | None]
    reporter_id: strawberry.Private[uuid.UUID]
    duplicate_of_id: strawberry.Private[uuid.UUID | None]
    model: strawberry.Private[Report]
    related: strawberry.Private[PageRelations | None] = None

    @strawberry.field(description="What it is about.", graphql_type=CategoryType)
    def category(self, info: Info) -> CategoryType | Awaitable[CategoryType]:
        """Like `LocationType.ward`: from the reference cache at once, else through the loader."""
        kept = reference_cache.category(self.category_code)
        return CategoryType.from_model(kept) if kept is not None else self._load_category(info)

    async def _load_category(self, info: Info) -> CategoryType:
        category = await info.context.loaders.reports.category_by_code.load(self.category_code)
        assert category is not None, "a report's category is a foreign key"
        return CategoryType.from_model(category)

    @strawberry.field(description="The agency handling it.", graphql_type=AgencyType)
    def agency(self, info: Info) -> AgencyType | Awaitable[AgencyType]:
        """Like `LocationType.ward`: from the reference cache at once, else through the loader."""
        kept = reference_cache.agency(self.agency_id)
        return AgencyType.from_model(kept) if kept is not None else self._load_agency(info)

    async def _load_agency(self, info: Info) -> AgencyType:
        agency = await info.context.loaders.agency_by_id.load(self.agency_id)
        assert agency is not None, "a report's agency is a foreign key"
        return AgencyType.from_model(agency)

    @strawberry.field(description="The officer assigned; null when nobody is, and always for citizens.")
    async def assignee(self, info: Info) -> UserType | None:
        if self.assignee_id is None or not may_see_internals(require_principal(info)):
            return None
        user = await info.context.loaders.reports.user_by_id.load(self.assignee_id)
        return None if user is None else UserType.from_model(user)

    @strawberry.field(description="Who sent it: only for the staff of the handling agency and admins, else null.")
    async def reporter(self, info: Info) -> ReporterType | None:
        if not may_see_reporter(require_principal(info), self.agency_id):
            return None
        user = await info.context.loaders.reports.user_by_id.load(self.reporter_id)
        return None if user is None else ReporterType.from_model(user)

    @strawberry.field(
        description="For a report staff recorded (HOTLINE, WALK_IN, POST): who brought it in, who wrote it down, and "
        "how the provider hears the answers. Only for the staff of the handling agency and admins, else null."
    )
    async def provider(self, info: Info) -> ProviderType | None:
        return await provider_of(info, require_principal(info), uuid.UUID(self.id), self.channel)

    @strawberry.field(
        description="What the citizen was told on Zalo, oldest first, with the OA and, for one not sent, why: only "
        "for the staff of the handling agency and admins, else null."
    )
    async def notifications(self, info: Info) -> list[ReportNotificationType] | None:
        if not may_see_reporter(require_principal(info), self.agency_id):
            return None
        rows = await info.context.loaders.reports.notifications_by_report.load(uuid.UUID(self.id))
        return [ReportNotificationType.from_model(row) for row in rows]

    @strawberry.field(description="Photos and videos, in upload order.", graphql_type=list[MediaType])
    def media(self, info: Info) -> list[MediaType] | Awaitable[list[MediaType]]:
        """At once when read with the page (`PageRelations`), else through the loader."""
        if self.related is not None and self.related.media is not None:
            return [MediaType.from_model(media) for media in self.related.media[self.model.id]]
        return self._load_media(info)

    async def _load_media(self, info: Info) -> list[MediaType]:
        rows = await info.context.loaders.reports.media_by_report.load(self._key(info))
        return [MediaType.from_model(media) for media in rows]

    @strawberry.field(
        description="The agency's decisions, oldest first; the last one is the current answer.",
        graphql_type=list[DecisionType],
    )
    def decisions(self, info: Info) -> list[DecisionType] | Awaitable[list[DecisionType]]:
        """Like `media`."""
        if self.related is not None and self.related.decisions is not None:
            return [DecisionType.from_model(decision) for decision in self.related.decisions[self.model.id]]
        return self._load_decisions(info)

    async def _load_decisions(self, info: Info) -> list[DecisionType]:
        rows = await info.context.loaders.reports.decisions_by_report.load(self._key(info))
        return [DecisionType.from_model(decision) for decision in rows]

    @strawberry.field(description="Every change, oldest first.")
    async def timeline(self, info: Info) -> list[TimelineEventType]:
        rows = await info.context.loaders.reports.events_by_report.load(self._key(info))
        return [TimelineEventType.from_model(event) for event in rows]

    @strawberry.field(
        description="Staff only: an earlier report of the same plate and category nearby in place and time."
    )
    async def possible_duplicate_of(self, info: Info) -> ReportType | None:
        principal = require_principal(info)
        if self.duplicate_of_id is None or not may_see_internals(principal):
            return None
        original = await info.context.loaders.reports.report_by_id.load((principal, self.duplicate_of_id))
        return None if original is None else ReportType.from_model(original)

    @strawberry.field(
        description="The signed receipt of what was sent (for its author, the handling agency's staff and admins); "
        "null for reports received before receipts were issued."
    )
    async def receipt(self, info: Info) -> ReceiptType | None:
        principal = require_principal(info)
        policies.require(
            custody_receipts.may_see_receipt(principal, self.reporter_id, self.agency_id),
            "Only the report's author, the staff handling it and admins get its receipt.",
        )
        report_id = uuid.UUID(self.id)
        received = await info.context.loaders.received_entry_by_report.load(report_id)
        if received is None:
            return None
        return ReceiptType.from_receipt(
            custody_receipts.signed_receipt(report_id, received, info.context.evidence_signer)
        )

    @strawberry.field(
        description="The chain of custody, verified now (re-hashes every original: one report at a time). Staff of "
        "the handling agency and admins; FORBIDDEN for citizens."
    )
    async def custody(self, info: Info) -> CustodyType:
        verification = await custody_queries.custody_of(
            require_principal(info), uuid.UUID(self.id), info.context.storage
        )
        return CustodyType.from_verification(verification)

    @strawberry.field(description="Your request for the result in writing, for you, the author, only; else null.")
    def written_answer(self, info: Info) -> WrittenAnswerType | None:
        return WrittenAnswerType.of_report(require_principal(info), self.model)

    def _key(self, info: Info) -> tuple[Principal, uuid.UUID]:
        return require_principal(info), uuid.UUID(self.id)

    @classmethod
    def from_model(
        cls, report: Report, now: datetime | None = None, related: PageRelations | None = None
    ) -> ReportType:
        now = now or clock.now()
        return cls(
            id=strawberry.ID(str(report.id)),
            code=report.code,
            status=report.status,
            description=report.description,
            occurred_at=report.occurred_at,
            submitted_at=report.submitted_at,
            updated_at=report.updated_at,
            location=LocationType(
                latitude=report.latitude,
                longitude=report.longitude,
                address=report.address,
                ward_code=report.ward_id,
            ),
            plate_number=report.plate_number,
            channel=report.channel,
            due_at=due_at(report),
            overdue=is_overdue(report, now),
            verification_due_at=report.verification_due_at,
            verification_extension=VerificationExtensionType.of_report(report),
            category_code=report.category_id,
            agency_id=report.agency_id,
            assignee_id=report.assignee_id,
            reporter_id=report.reporter_id,
            duplicate_of_id=report.duplicate_of_id,
            model=report,
            related=related,
        )


@strawberry.type(name="ReportEdge", description="One report of a page, with its cursor.")
class ReportEdgeType:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this report.")
    node: ReportType = strawberry.field(description="The report.")


@strawberry.type(name="ReportConnection", description="A page of reports, newest first.")
class ReportConnectionType:
    edges: list[ReportEdgeType] = strawberry.field(description="The reports of this page.")
    page_info: PageInfoType = strawberry.field(description="Where this page starts and ends.")
    page: strawberry.Private[Page[Report]]

    @strawberry.field(description="How many reports match, over all pages (counted only when asked for).")
    async def total_count(self) -> int:
        return await self.page.total_count()

    @classmethod
    async def read(cls, info: Info, page: Page[Report]) -> ReportConnectionType:
        """The page with what its reports' fields will ask for read at once (`PageRelations.read`)."""
        return cls.from_page(page, await PageRelations.read(info, page.rows))

    @classmethod
    def from_page(cls, page: Page[Report], related: PageRelations | None = None) -> ReportConnectionType:
        now = clock.now()
        return cls(
            edges=[
                ReportEdgeType(cursor=cursor, node=ReportType.from_model(report, now, related))
                for cursor, report in page.edges
            ],
            page_info=PageInfoType.from_page(page),
            page=page,
        )
