"""What an agency console sends to record a report for a provider."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.base.enums import Channel
from schema.reports.inputs import LocationInput, report_draft
from services.intake.recording import ProviderDraft
from services.reports.drafts import ReportDraft


@strawberry.input(name="ProviderInput", description="The provider as staff heard or read them; both parts optional.")
class ProviderInput:
    name: str = input_field("Name as given; confidential to the handling agency.", bounds.NAME, default="")
    phone: str | None = input_field(
        "Vietnamese mobile number in any usual spelling (0912 345 678, +84912345678); answers go to it by SMS while "
        "the provider has no app account.",
        bounds.PHONE,
        default=None,
    )


@strawberry.input(
    name="RecordReportInput",
    description="A report that reached the agency by its hotline, in person or by post, as staff write it down. The "
    "fields and their checks are those of SubmitReportInput.",
)
class RecordReportInput:
    category_code: str = input_field("An active category's code (see `categories`).", bounds.CATEGORY_CODE)
    description: str = input_field("What happened, at least 10 characters.", bounds.TEXT)
    occurred_at: datetime = strawberry.field(
        description="When it happened, with a time zone offset; not in the future, not older than the allowed days."
    )
    location: LocationInput = strawberry.field(description="Where it happened.")
    channel: Channel = strawberry.field(description="How it arrived: HOTLINE, WALK_IN or POST.")
    plate_number: str | None = input_field(
        "Vehicle plate in any usual spelling (29A-123.45, 29A12345).", bounds.PLATE, default=None
    )
    media_ids: list[strawberry.ID] = input_field(
        "The evidence, uploaded by you (createMediaUpload) and checked, not used by another report; at least one for "
        "a violation.",
        bounds.MEDIA_IDS,
        default_factory=list,
    )
    provider: ProviderInput | None = strawberry.field(default=None, description="Who brought it; may be anonymous.")

    def to_draft(self) -> ReportDraft:
        return report_draft(self)

    def to_provider(self) -> ProviderDraft:
        if self.provider is None:
            return ProviderDraft()
        return ProviderDraft(name=self.provider.name, phone=self.provider.phone)
