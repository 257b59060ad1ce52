"""The statistics filter as frontends send it."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import Channel
from services.statistics.figures import StatisticsFilter


@strawberry.input(name="StatisticsFilter", description="Which reports to count; all conditions must hold.")
class StatisticsFilterInput:
    from_: date | None = strawberry.field(
        default=None, name="from", description="First day of submission, in Hanoi time (included)."
    )
    to: date | None = strawberry.field(default=None, description="Last day of submission, in Hanoi time (included).")
    agency_id: strawberry.ID | None = input_field(
        "Only this handling agency. Agency staff may only name their own.", bounds.ID, default=None
    )
    category_code: str | None = input_field("Only this category.", bounds.CATEGORY_CODE, default=None)
    ward_code: str | None = input_field("Only this ward or commune.", bounds.WARD_CODE, default=None)
    channel: Channel | None = strawberry.field(default=None, description="Only this channel.")

    def to_filter(self) -> StatisticsFilter:
        return StatisticsFilter(
            date_from=self.from_,
            date_to=self.to,
            agency_id=None if self.agency_id is None else str(self.agency_id),
            category_code=self.category_code,
            ward_code=self.ward_code,
            channel=self.channel,
        )
