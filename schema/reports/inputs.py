"""What frontends send about reports: a submission, a decision, the filter of the staff list."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import Channel, DecisionOutcome, ReportStatus
from schema.base.scalars import BigInt
from services.reports import search as report_search
from services.reports.drafts import LocationDraft, ReportDraft
from services.reports.queries import ReportFilter
from services.reports.workflow import FINE_CEILING_VND, DecisionDraft


@strawberry.input(name="LocationInput", description="Where it happened.")
class LocationInput:
    latitude: float = strawberry.field(description="WGS 84 latitude; must be inside Hanoi.")
    longitude: float = strawberry.field(description="WGS 84 longitude; must be inside Hanoi.")
    address: str = input_field("Address or landmark.", bounds.ADDRESS, default="")
    ward_code: str | None = input_field(
        "Ward code (see `wards`); when omitted, the ward whose centre is nearest.", bounds.WARD_CODE, default=None
    )


class ReportFields(Protocol):
    """What a citizen's submission and a staff member's record of a report both carry."""

    category_code: str
    description: str
    occurred_at: datetime
    location: LocationInput
    channel: Channel
    plate_number: str | None
    media_ids: list[strawberry.ID]


def report_draft(fields: ReportFields) -> ReportDraft:
    return ReportDraft(
        category_code=fields.category_code,
        description=fields.description,
        occurred_at=fields.occurred_at,
        location=LocationDraft(
            latitude=fields.location.latitude,
            longitude=fields.location.longitude,
            address=fields.location.address,
            ward_code=fields.location.ward_code,
        ),
        channel=fields.channel,
        plate_number=fields.plate_number,
        media_ids=tuple(str(media_id) for media_id in fields.media_ids),
    )


@strawberry.input(name="SubmitReportInput", description="A new report, as the citizen filled it in.")
class SubmitReportInput:
    category_code: str = input_field("An active category's code (see `categories`).", bounds.CATEGORY_CODE)
    description: str = input_field("What happened, at least 10 characters.", bounds.TEXT)
    occurred_at: datetime = strawberry.field(
        description="When it happened, with a time zone offset; not in the future, not older than the allowed days."
    )
    location: LocationInput = strawberry.field(description="Where it happened.")
    channel: Channel = strawberry.field(description="The app sending it: ZALO, IHANOI or WEB.")
    plate_number: str | None = input_field(
        "Vehicle plate in any usual spelling (29A-123.45, 29A12345, 29-A1 123.45).", bounds.PLATE, default=None
    )
    media_ids: list[strawberry.ID] = input_field(
        "Checked photos/videos of your own not used by another report; at least one for a violation.",
        bounds.MEDIA_IDS,
        default_factory=list,
    )

    def to_draft(self) -> ReportDraft:
        return report_draft(self)


@strawberry.input(name="ReportFilter", description="Narrows `reports`; all conditions must hold.")
class ReportFilterInput:
    status: ReportStatus | None = strawberry.field(default=None, description="Only this status.")
    category_code: str | None = input_field("Only this category.", bounds.CATEGORY_CODE, default=None)
    ward_code: str | None = input_field("Only this ward.", bounds.WARD_CODE, default=None)
    agency_id: strawberry.ID | None = input_field("Only this agency (admins).", bounds.ID, default=None)
    channel: Channel | None = strawberry.field(default=None, description="Only this channel.")
    submitted_from: datetime | None = strawberry.field(default=None, description="Submitted at or after this.")
    submitted_to: datetime | None = strawberry.field(default=None, description="Submitted before this.")
    plate_number: str | None = input_field("This plate, in any usual spelling.", bounds.PLATE, default=None)
    overdue: bool | None = strawberry.field(default=None, description="true: only overdue; false: only not overdue.")
    updated_since: datetime | None = strawberry.field(default=None, description="Changed at or after this.")
    legal_deadline_within_days: int | None = strawberry.field(
        default=None,
        description="Only reports in verification (ACCEPTED) whose legal deadline ends at the latest at the end of the "
        "Nth Hanoi day from today (0: today), those already past it included; 0 to 60.",
    )
    search: str | None = input_field(
        "Words that must all occur in the report's code, plate, description or address, diacritics and case aside "
        '("dinh tien hoang" finds "Đinh Tiên Hoàng"; a plate in any usual spelling); newest first as without it; at '
        f"most {report_search.MAX_WORDS} words, one of at least {report_search.MIN_LONGEST_WORD} letters or digits, "
        "no control characters.",
        bounds.SEARCH,
        default=None,
    )

    def to_filter(self) -> ReportFilter:
        return ReportFilter(
            status=self.status,
            category_code=self.category_code,
            ward_code=self.ward_code,
            agency_id=None if self.agency_id is None else str(self.agency_id),
            channel=self.channel,
            submitted_from=self.submitted_from,
            submitted_to=self.submitted_to,
            plate_number=self.plate_number,
            overdue=self.overdue,
            updated_since=self.updated_since,
            legal_deadline_within_days=self.legal_deadline_within_days,
            search=self.search,
        )


@strawberry.input(name="DecisionInput", description="A decision about a report. See `decideReport` for the rules.")
class DecisionInput:
    outcome: DecisionOutcome = strawberry.field(description="What is decided.")
    note: str = input_field("Internal note for colleagues; citizens never see it.", bounds.TEXT, default="")
    response_to_citizen: str = input_field(
        "The answer to the citizen; required for REJECT, PENALIZE and RESOLVE.", bounds.TEXT, default=""
    )
    fine_amount_vnd: BigInt | None = strawberry.field(
        default=None,
        description=f"The fine in whole đồng; required for PENALIZE (above 0, at most {FINE_CEILING_VND:,}), refused "
        "otherwise.",
    )
    vehicle_impounded: bool = strawberry.field(default=False, description="PENALIZE only: the vehicle was impounded.")
    legal_basis: str = input_field("PENALIZE only (required): the legal text applied.", bounds.LEGAL_BASIS, default="")

    def to_draft(self) -> DecisionDraft:
        return DecisionDraft(
            outcome=self.outcome,
            note=self.note,
            response_to_citizen=self.response_to_citizen,
            fine_amount_vnd=self.fine_amount_vnd,
            vehicle_impounded=self.vehicle_impounded,
            legal_basis=self.legal_basis,
        )
