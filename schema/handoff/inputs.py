from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import bounds
from schema.base.bounds import input_field
from schema.reports.inputs import LocationInput
from services.accounts.rules import SignInRules
from services.handoff.drafts import DraftInput
from services.handoff.joins import PhoneProof
from services.reports.drafts import LocationDraft


@strawberry.input(
    name="ReportDraftInput",
    description="A report begun in Zalo. Every field may be missing; what is given is checked (BAD_USER_INPUT).",
)
class ReportDraftInput:
    category_code: str | None = input_field("An active category's code.", bounds.CATEGORY_CODE, default=None)
    description: str | None = input_field("What happened.", bounds.TEXT, default=None)
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened, with a time zone offset; not in the future."
    )
    location: LocationInput | None = strawberry.field(default=None, description="Where it happened, inside Hanoi.")
    plate_number: str | None = input_field("Vehicle plate in any usual spelling.", bounds.PLATE, default=None)
    media_ids: list[strawberry.ID] = input_field(
        "Your own uploads not yet used by a report.", bounds.MEDIA_IDS, default_factory=list
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


@strawberry.input(
    name="JoinPhoneInput",
    description=(
        "Offer to join this Zalo account with the city-app account that signs in with this phone, proving the phone "
        "with the code `requestOtp` sent to it. BAD_USER_INPUT with field `joinPhone.phone` or `joinPhone.code` "
        "(reason `invalid_code` or `too_many_attempts`) when it proves nothing."
    ),
)
class JoinPhoneInput:
    phone: str = input_field("A Vietnamese mobile number, any usual form.", bounds.PHONE)
    code: str = input_field("The 6-digit code `requestOtp` sent to it.", bounds.OTP_CODE)

    def to_proof(self, sign_in: SignInRules) -> PhoneProof:
        return PhoneProof(sign_in=sign_in, phone=self.phone, code=self.code)
