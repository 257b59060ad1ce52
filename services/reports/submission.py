"""Submitting a report: validate, route, number, attach evidence, flag duplicates, all in one transaction.

A refused submission writes nothing: no report, no event, no idempotency key, no take from the hourly limit, and its
media stay free for the next try. Citizens submit here; agency staff record what arrives by the hotline, in person or
by post through `services.intake`, which runs the very same transaction (`create`) with a `Sender` of its own.

The checks that need no database come first; then one transaction on one connection does the rest (category, the
hourly limit, route, number, the writes of `services.reports.creation`, the idempotency key). A retry is not looked
up beforehand: the key's unique row, inserted in the transaction, is what makes a retry safe, so the common case of a
first try pays nothing for it, and only a submission that fails (the key taken, a refusal) looks whether its key
already produced a report, and answers with that one.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.errors import InvalidInput, RateLimited
from core.ids import parse_uuid
from models.enums import CategoryKind, Channel
from models.reference import Category
from models.reports import Report
from services.common import limits, policies
from services.reference import geo
from services.reference.cache import reference_cache
from services.reports import codes, creation, idempotency
from services.reports.drafts import (
    ADDRESS_MAX,
    CLOCK_SKEW,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    MEDIA_MAX,
    CleanReport,
    LocationDraft,
    ReportDraft,
)
from services.reports.plates import normalise_plate

CITIZEN_CHANNELS = frozenset({Channel.ZALO, Channel.IHANOI, Channel.WEB})


class Sender(Protocol):
    """Who sends a report in. `user_id` owns the evidence and the idempotency key and is the actor of SUBMITTED;
    `reporter` names, inside the transaction, whose report it is; `record` writes what else the sender keeps (staff
    intake: the provider), also inside it. A citizen is both sender and reporter, and keeps nothing else."""

    @property
    def user_id(self) -> uuid.UUID: ...

    async def reporter(self, connection: BaseDBAsyncClient) -> uuid.UUID: ...

    async def record(self, connection: BaseDBAsyncClient, report: Report, now: datetime) -> None: ...


@dataclass(frozen=True)
class Citizen:
    user_id: uuid.UUID

    async def reporter(self, connection: BaseDBAsyncClient) -> uuid.UUID:
        return self.user_id

    async def record(self, connection: BaseDBAsyncClient, report: Report, now: datetime) -> None:
        return None


async def submit_report(
    principal: Principal,
    draft: ReportDraft,
    idempotency_key: str,
    *,
    max_age_days: int,
    per_hour: int,
    now: datetime | None = None,
) -> Report:
    """Create the report, or return the one this key already produced for this user. At most `per_hour` new reports
    an hour per person, taken in the report's transaction (issue 14): a replay or a refused submission takes nothing."""
    policies.require(policies.is_citizen(principal), "Only citizens submit reports.")
    now = now or clock.now()
    key = idempotency.check_key(idempotency_key)
    clean = validate(draft, now=now, max_age_days=max_age_days)
    limit = limits.Limit(
        limits.bucket("reports.submit", str(principal.user_id)),
        limits.Quota(per_hour, 3600),
        f"At most {per_hour} reports an hour; try again later.",
    )
    return await create(Citizen(principal.user_id), key, clean, clean.fingerprint(), limit, now)


async def create(
    sender: Sender, key: str, clean: CleanReport, request_hash: str, limit: limits.Limit, now: datetime
) -> Report:
    """The report of every path in (citizens' apps, staff intake), or the one this key already produced."""
    try:
        return await _create_or_replay(sender, key, clean, request_hash, limit, now)
    except codes.MissingSequence as missing:  # the year's first report: make its sequence, then start again
        await codes.prepare(connections.get("default"), missing.year)
        return await _create_or_replay(sender, key, clean, request_hash, limit, now)


async def _create_or_replay(
    sender: Sender, key: str, clean: CleanReport, request_hash: str, limit: limits.Limit, now: datetime
) -> Report:
    user_id = sender.user_id
    try:
        category = await _category(clean)
        async with in_transaction() as connection:
            taken = await limits.take_within(connection, limit)
            reporter_id = await sender.reporter(connection)
            report, route = await creation.insert_report(connection, reporter_id, clean, category, now)
            await idempotency.bind(connection, user_id, key, request_hash, report.id)
            await creation.attach_and_record(connection, user_id, clean, report, route, now)
            await sender.record(connection, report, now)
    except (IntegrityError, InvalidInput, RateLimited):
        replayed = await idempotency.find_replay(user_id, key, request_hash)
        if replayed is None:
            raise
        return await Report.get(id=replayed)
    await limits.sweep_after(taken)
    return report


async def _category(clean: CleanReport) -> Category:
    """From the reference cache (`services.reference.cache`): categories change only by an administrator."""
    (category,) = await reference_cache.categories_by_codes([clean.category_code])
    if category is None or not category.active:
        raise InvalidInput(f"There is no active category {clean.category_code!r}.", field="categoryCode")
    if category.kind is CategoryKind.VIOLATION and not clean.media_ids:
        raise InvalidInput("A violation needs at least one photo or video of your own.", field="mediaIds")
    return category


def validate(
    draft: ReportDraft, *, now: datetime, max_age_days: int, channels: frozenset[Channel] = CITIZEN_CHANNELS
) -> CleanReport:
    """Every check that needs no database; the category is checked in the transaction, media where they are
    claimed. `channels` are those the sender may name (citizens their apps, staff the intake channels)."""
    description = draft.description.strip()
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        raise InvalidInput(
            f"The description must be {DESCRIPTION_MIN}-{DESCRIPTION_MAX} characters.", field="description"
        )
    occurred_at = _check_occurred_at(draft.occurred_at, now, max_age_days)
    latitude, longitude, ward_code = _check_location(draft.location)
    address = draft.location.address.strip()
    if len(address) > ADDRESS_MAX:
        raise InvalidInput(f"The address must be at most {ADDRESS_MAX} characters.", field="location.address")
    if draft.channel not in channels:
        allowed = ", ".join(sorted(channels))
        raise InvalidInput(f"{draft.channel.value} is not a channel of this path; use {allowed}.", field="channel")
    plate = draft.plate_number.strip() if draft.plate_number else ""
    return CleanReport(
        category_code=draft.category_code.strip(),
        description=description,
        occurred_at=occurred_at,
        latitude=latitude,
        longitude=longitude,
        address=address,
        ward_code=ward_code,
        channel=draft.channel,
        plate_number=normalise_plate(plate) if plate else None,
        media_ids=_check_media_ids(draft.media_ids),
    )


def _check_occurred_at(occurred_at: datetime, now: datetime, max_age_days: int) -> datetime:
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurredAt needs a time zone offset, e.g. 2026-11-23T08:30:00+07:00.", field="occurredAt")
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidInput("occurredAt is in the future.", field="occurredAt")
    if occurred_at < now - timedelta(days=max_age_days):
        raise InvalidInput(f"Reports must be sent within {max_age_days} days of the event.", field="occurredAt")
    return occurred_at.astimezone(UTC)


def _check_location(location: LocationDraft) -> tuple[float, float, str]:
    """The ward is the point's (see `geo.ward_of_point`): a named ward must agree with the point."""
    latitude, longitude = location.latitude, location.longitude
    if not (
        math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180
    ):
        raise InvalidInput("Latitude and longitude must be WGS 84 degrees.", field="location")
    if not geo.in_hanoi(latitude, longitude):
        raise InvalidInput("This place is outside Hanoi.", field="location")
    claimed = (location.ward_code or "").strip() or None
    return latitude, longitude, geo.ward_of_point(latitude, longitude, claimed, field="location.wardCode")


def _check_media_ids(raw_ids: tuple[str, ...]) -> tuple[uuid.UUID, ...]:
    parsed = {parse_uuid(raw) for raw in raw_ids}
    if None in parsed:
        raise InvalidInput("Some media ids are not ids of your uploads.", field="mediaIds")
    if len(parsed) > MEDIA_MAX:
        raise InvalidInput(f"At most {MEDIA_MAX} photos or videos per report.", field="mediaIds")
    return tuple(sorted(media_id for media_id in parsed if media_id is not None))
