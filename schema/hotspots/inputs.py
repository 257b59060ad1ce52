"""The hotspot filter as frontends send it: the statistics' days and the report filter's category, kind and status."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import CategoryKind, ReportStatus
from services.hotspots.cells import HotspotFilter


@strawberry.input(name="HotspotFilter", description="Which reports to count; all conditions must hold.")
class HotspotFilterInput:
    from_: date | None = strawberry.field(
        default=None, name="from", description="First day of submission, in Hanoi time (included)."
    )
    to: date | None = strawberry.field(default=None, description="Last day of submission, in Hanoi time (included).")
    category_code: str | None = input_field("Only this category.", bounds.CATEGORY_CODE, default=None)
    kind: CategoryKind | None = strawberry.field(default=None, description="Only violations, or only road faults.")
    status: ReportStatus | None = strawberry.field(default=None, description="Only reports in this status now.")
    agency_id: strawberry.ID | None = input_field(
        "Only this handling agency. Agency staff may only name their own.", bounds.ID, default=None
    )

    def to_filter(self) -> HotspotFilter:
        return HotspotFilter(
            date_from=self.from_,
            date_to=self.to,
            category_code=self.category_code,
            kind=self.kind,
            status=self.status,
            agency_id=None if self.agency_id is None else str(self.agency_id),
        )
