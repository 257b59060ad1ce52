from __future__ import annotations

from datetime import datetime

import strawberry

from schema.reports.inputs import LocationInput
from services.handoff.drafts import DraftInput
from services.reports.drafts import LocationDraft


@strawberry.input(
    name="ReportDraftInput",
    description="A report begun in Zalo. Every field may be missing; what is given is checked (BAD_USER_INPUT).",
)
class ReportDraftInput:
    category_code: str | None = strawberry.field(default=None, description="An active category's code.")
    description: str | None = strawberry.field(default=None, description="What happened, up to 2000 characters.")
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened, with a time zone offset; not in the future."
    )
    location: LocationInput | None = strawberry.field(default=None, description="Where it happened, inside Hanoi.")
    plate_number: str | None = strawberry.field(default=None, description="Vehicle plate in any usual spelling.")
    media_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Your own uploads not yet used by a report (at most 10)."
    )

    def to_draft(self) -> DraftInput:
        location = self.location
        return DraftInput(
            category_code=self.category_code,
            description=self.description,
            occurred_at=self.occurred_at,
            location=None
            if location is None
            else LocationDraft(
                latitude=location.latitude,
                longitude=location.longitude,
                address=location.address,
                ward_code=location.ward_code,
            ),
            plate_number=self.plate_number,
            media_ids=tuple(str(media_id) for media_id in self.media_ids),
        )
