"""Checking a handed-off draft: leniently, since the citizen finishes it in the city app, where `submitReport` checks
everything again. What is given must make sense now (a known category, a place in Hanoi, a plate that is a plate);
what is missing may still be filled in. The clean draft is stored as JSON in the shape `ReportDraft` returns."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import InvalidInput
from core.ids import parse_uuid
from models.reference import Category
from services.reference import geo
from services.reports.drafts import ADDRESS_MAX, CLOCK_SKEW, DESCRIPTION_MAX, MEDIA_MAX, LocationDraft
from services.reports.plates import normalise_plate


@dataclass(frozen=True)
class DraftInput:
    category_code: str | None = None
    description: str | None = None
    occurred_at: datetime | None = None
    location: LocationDraft | None = None
    plate_number: str | None = None
    media_ids: tuple[str, ...] = ()


async def clean_draft(draft: DraftInput, *, now: datetime) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if draft.category_code and draft.category_code.strip():
        code = draft.category_code.strip()
        if not await Category.exists(code=code, active=True):
            raise InvalidInput(f"There is no active category {code!r}.", field="draft.categoryCode")
        clean["categoryCode"] = code
    if draft.description and draft.description.strip():
        if len(draft.description.strip()) > DESCRIPTION_MAX:
            raise InvalidInput(
                f"The description must be at most {DESCRIPTION_MAX} characters.", field="draft.description"
            )
        clean["description"] = draft.description.strip()
    if draft.occurred_at is not None:
        clean["occurredAt"] = _occurred_at(draft.occurred_at, now).isoformat()
    if draft.location is not None:
        clean["location"] = _location(draft.location)
    if draft.plate_number and draft.plate_number.strip():
        clean["plateNumber"] = normalise_plate(draft.plate_number.strip(), field="draft.plateNumber")
    media_ids = {parse_uuid(raw) for raw in draft.media_ids}
    if None in media_ids:
        raise InvalidInput("Some media ids are not ids of your unused uploads.", field="draft.mediaIds")
    if len(media_ids) > MEDIA_MAX:
        raise InvalidInput(f"At most {MEDIA_MAX} photos or videos per report.", field="draft.mediaIds")
    clean["mediaIds"] = sorted(str(media_id) for media_id in media_ids)
    return clean


def _occurred_at(occurred_at: datetime, now: datetime) -> datetime:
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurredAt needs a time zone offset.", field="draft.occurredAt")
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidInput("occurredAt is in the future.", field="draft.occurredAt")
    return occurred_at.astimezone(UTC)


def _location(location: LocationDraft) -> dict[str, Any]:
    latitude, longitude = location.latitude, location.longitude
    if not (math.isfinite(latitude) and math.isfinite(longitude) and geo.in_hanoi(latitude, longitude)):
        raise InvalidInput("This place is not in Hanoi.", field="draft.location")
    address = location.address.strip()
    if len(address) > ADDRESS_MAX:
        raise InvalidInput(f"The address must be at most {ADDRESS_MAX} characters.", field="draft.location.address")
    ward_code = (location.ward_code or "").strip() or None
    if ward_code is not None:
        geo.ward_of_point(latitude, longitude, ward_code, field="draft.location.wardCode")
    return {"latitude": latitude, "longitude": longitude, "address": address, "wardCode": ward_code}
