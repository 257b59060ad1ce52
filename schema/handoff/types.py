from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base.enums import AccountJoinOfferStatus
from services.handoff.joins import JoinOffer
from services.handoff.links import IssuedHandoff, Redemption


@strawberry.type(name="Handoff", description="A single-use link into the city app's report form, and its QR code.")
class HandoffType:
    url: str = strawberry.field(
        description="Opens the city app's report form; carries only an opaque token. Works once, until `expiresAt`."
    )
    qr_code_svg: str = strawberry.field(description="The same link as a QR code, a standalone SVG document.")
    expires_at: datetime = strawberry.field(description="After this the link is refused (reason `expired`).")

    @classmethod
    def from_issued(cls, issued: IssuedHandoff) -> HandoffType:
        return cls(url=issued.url, qr_code_svg=issued.qr_code_svg, expires_at=issued.expires_at)


@strawberry.type(name="ReportDraftLocation", description="Where it happened, as far as the draft says.")
class ReportDraftLocationType:
    latitude: float = strawberry.field(description="WGS 84 latitude, inside Hanoi.")
    longitude: float = strawberry.field(description="WGS 84 longitude, inside Hanoi.")
    address: str = strawberry.field(description="Address or landmark; may be empty.")
    ward_code: str | None = strawberry.field(description="Ward code, if the citizen chose one.")


@strawberry.type(
    name="AccountJoinOffer",
    description=(
        "The Zalo account that made the link offers to join accounts with yours. Nothing is joined until you confirm "
        "with `confirmAccountJoin`, and only the holder of the phone the Zalo account proved can."
    ),
)
class AccountJoinOfferType:
    status: AccountJoinOfferStatus = strawberry.field(description="Whether you may confirm it.")
    zalo_account_id: strawberry.ID | None = strawberry.field(
        description="The Zalo account to name in `confirmAccountJoin`; null unless the status is CONFIRMABLE."
    )
    zalo_name: str | None = strawberry.field(
        description="Its name on Zalo, to show when asking; null unless the status is CONFIRMABLE."
    )
    confirm_before: datetime = strawberry.field(description="After this the offer is refused (reason `expired`).")

    @classmethod
    def from_offer(cls, offer: JoinOffer) -> AccountJoinOfferType:
        return cls(
            status=offer.status,
            zalo_account_id=None if offer.zalo_account_id is None else strawberry.ID(str(offer.zalo_account_id)),
            zalo_name=offer.zalo_name,
            confirm_before=offer.confirm_before,
        )


@strawberry.type(
    name="ReportDraft",
    description="A report begun in the Zalo mini-app: fill the city app's form with it, then `submitReport`.",
)
class ReportDraftType:
    category_code: str | None = strawberry.field(description="An active category's code, if chosen.")
    description: str | None = strawberry.field(description="What happened, if written.")
    occurred_at: datetime | None = strawberry.field(description="When it happened (UTC), if given.")
    location: ReportDraftLocationType | None = strawberry.field(description="Where it happened, if given.")
    plate_number: str | None = strawberry.field(description="The plate, normalised (29A-123.45), if given.")
    media_ids: list[strawberry.ID] = strawberry.field(
        description="Uploads made in Zalo, handed to you on redeeming: now your own, ready for `submitReport`."
    )
    join_offer: AccountJoinOfferType | None = strawberry.field(
        description=(
            "Redeeming never joins accounts. Null when the link offers no join; otherwise what the Zalo account that "
            "made it offers, and whether you may confirm it."
        ),
    )

    @classmethod
    def from_redemption(cls, redemption: Redemption) -> ReportDraftType:
        draft, offer = redemption.draft, redemption.join_offer
        location = draft.get("location")
        occurred_at = draft.get("occurredAt")
        return cls(
            category_code=draft.get("categoryCode"),
            description=draft.get("description"),
            occurred_at=None if occurred_at is None else datetime.fromisoformat(occurred_at),
            location=None
            if location is None
            else ReportDraftLocationType(
                latitude=location["latitude"],
                longitude=location["longitude"],
                address=location["address"],
                ward_code=location["wardCode"],
            ),
            plate_number=draft.get("plateNumber"),
            media_ids=[strawberry.ID(media_id) for media_id in draft.get("mediaIds", [])],
            join_offer=None if offer is None else AccountJoinOfferType.from_offer(offer),
        )
