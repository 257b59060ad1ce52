"""The provider of a recorded report, as the handling agency reads it."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from auth.principal import Principal
from schema.accounts.types import UserType
from schema.base.enums import Channel, ProviderAnswer
from schema.base.info import Info
from services.intake.providers import ProviderView
from services.intake.recording import INTAKE_CHANNELS


@strawberry.type(
    name="ReportProvider",
    description="Who brought a recorded report in (HOTLINE, WALK_IN, POST) and who wrote it down. Confidential like a "
    "reporter: only the staff of the handling agency and admins read it.",
)
class ProviderType:
    name: str = strawberry.field(description="Name as given; may be empty.")
    phone: str | None = strawberry.field(description="Mobile number in canonical form (+84…), if given.")
    recorded_at: datetime = strawberry.field(description="When staff recorded it.")
    answer: ProviderAnswer = strawberry.field(description="How the provider will hear the agency's answers.")
    answer_reason: str = strawberry.field(description="Why, in a sentence for the console.")
    recorded_by_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The staff member who recorded it.")
    async def recorded_by(self, info: Info) -> UserType | None:
        user = await info.context.loaders.reports.user_by_id.load(self.recorded_by_id)
        return None if user is None else UserType.from_model(user)

    @classmethod
    def from_view(cls, view: ProviderView) -> ProviderType:
        return cls(
            name=view.name,
            phone=view.phone,
            recorded_at=view.recorded_at,
            answer=view.answer,
            answer_reason=view.answer_reason,
            recorded_by_id=view.recorded_by_id,
        )


async def provider_of(info: Info, principal: Principal, report_id: uuid.UUID, channel: Channel) -> ProviderType | None:
    """`Report.provider`: only reports of the intake channels have one, so the others cost no query."""
    if channel not in INTAKE_CHANNELS:
        return None
    view = await info.context.loaders.intake.provider_by_report.load((principal, report_id))
    return None if view is None else ProviderType.from_view(view)
