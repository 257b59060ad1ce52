"""The writes of a submission, run inside its transaction: number, route, claim media, flag duplicates, record.

Report codes come from a per-year counter bumped by one atomic upsert, so concurrent submissions never share a number;
a rolled-back submission leaves a gap, which is allowed (codes are unique and increasing, not dense).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from core.clock import HANOI_TIME
from core.errors import InvalidInput
from models.enums import MediaStatus, ReportEventKind
from models.media import Media
from models.outbox import OutboxKind
from models.reports import Report
from services.common.sql import Statement, dialect_of
from services.events import outbox
from services.reference import geo
from services.reports import timeline
from services.reports.drafts import CleanReport
from services.routing.resolution import Route, resolve_route
from services.statistics import rollup

DUPLICATE_DISTANCE_M = 200.0
DUPLICATE_WINDOW = timedelta(hours=2)
BUMP = Statement(
    "INSERT INTO report_counter (year, value) VALUES (?, ?) "
    "ON CONFLICT (year) DO UPDATE SET value = report_counter.value + excluded.value RETURNING value"
)


async def take_numbers(connection: BaseDBAsyncClient, year: int, count: int = 1) -> int:
    """Take the next `count` report numbers of `year` in one atomic upsert; returns the last one taken."""
    rows = await connection.execute_query_dict(BUMP.numbered(dialect_of(connection)).sql, [str(year), count])
    return int(rows[0]["value"])


async def next_code(connection: BaseDBAsyncClient, now: datetime) -> str:
    """`PA-<year>-<6 digits>`, the year as it is in Hanoi when the report arrives."""
    year = now.astimezone(HANOI_TIME).year
    return f"PA-{year}-{await take_numbers(connection, year):06d}"


async def insert_report(
    connection: BaseDBAsyncClient, reporter_id: uuid.UUID, clean: CleanReport, now: datetime
) -> tuple[Report, Route]:
    route = await resolve_route(clean.category, clean.ward_code)
    if route is None:
        raise InvalidInput(
            f"No agency handles {clean.category.code} in ward {clean.ward_code} yet; call the hotline.",
            field="categoryCode",
        )
    duplicate_of = await _earliest_duplicate(connection, clean)
    report = await Report.create(
        code=await next_code(connection, now),
        category_id=clean.category.code,
        description=clean.description,
        occurred_at=clean.occurred_at,
        submitted_at=now,
        latitude=clean.latitude,
        longitude=clean.longitude,
        address=clean.address,
        ward_id=clean.ward_code,
        plate_number=clean.plate_number,
        channel=clean.channel,
        reporter_id=reporter_id,
        agency_id=route.agency.id,
        routing_rule_id=route.rule.id,
        duplicate_of_id=duplicate_of,
        due_at=now + timedelta(hours=clean.category.service_level_hours),
        using_db=connection,
    )
    await rollup.apply(connection, None, rollup.Facts.of_report(report))
    return report, route


async def attach_and_record(
    connection: BaseDBAsyncClient,
    reporter_id: uuid.UUID,
    clean: CleanReport,
    report: Report,
    route: Route,
    now: datetime,
) -> None:
    """Claim the media with one conditional update (so two reports can never share one photo), then the timeline."""
    await _claim_media(connection, reporter_id, clean.media_ids, report.id)
    await timeline.record(connection, report.id, ReportEventKind.SUBMITTED, now, reporter_id, channel=report.channel)
    await outbox.record(connection, OutboxKind.SUBMITTED, report.id, report.agency_id, reporter_id)
    await timeline.record(
        connection,
        report.id,
        ReportEventKind.ROUTED,
        now,
        agencyId=str(report.agency_id),
        reason=route.reason,
    )
    if report.duplicate_of_id is not None:
        await timeline.record(
            connection,
            report.id,
            ReportEventKind.DUPLICATE_FLAGGED,
            now,
            duplicateOf=str(report.duplicate_of_id),
        )


async def _claim_media(
    connection: BaseDBAsyncClient, owner_id: uuid.UUID, media_ids: tuple[uuid.UUID, ...], report_id: uuid.UUID
) -> None:
    if not media_ids:
        return
    found = {m.id: m for m in await Media.filter(id__in=media_ids, owner_id=owner_id).using_db(connection)}
    for media_id in media_ids:
        media = found.get(media_id)
        if media is None:
            raise InvalidInput(f"Media {media_id} is not one of your uploads.", field="mediaIds")
        if media.status is not MediaStatus.READY:
            raise InvalidInput(f"Media {media_id} has not passed its checks.", field="mediaIds")
        if media.report_id is not None:
            raise InvalidInput(f"Media {media_id} already belongs to a report.", field="mediaIds")
    claimed = (
        await Media.filter(id__in=media_ids, owner_id=owner_id, status=MediaStatus.READY, report_id=None)
        .using_db(connection)
        .update(report_id=report_id)
    )
    if claimed != len(media_ids):
        raise InvalidInput("Some of these media were just used by another report.", field="mediaIds")


async def _earliest_duplicate(connection: BaseDBAsyncClient, clean: CleanReport) -> uuid.UUID | None:
    """The earliest report of the same plate and category close by in place and time, for an officer to confirm."""
    if clean.plate_number is None:
        return None
    nearby_in_time = (
        await Report.filter(
            plate_number=clean.plate_number,
            category_id=clean.category.code,
            occurred_at__gte=clean.occurred_at - DUPLICATE_WINDOW,
            occurred_at__lte=clean.occurred_at + DUPLICATE_WINDOW,
        )
        .order_by("submitted_at", "id")
        .using_db(connection)
    )
    for candidate in nearby_in_time:
        if candidate.latitude is None or candidate.longitude is None:
            continue
        if (
            geo.distance_m(clean.latitude, clean.longitude, candidate.latitude, candidate.longitude)
            <= DUPLICATE_DISTANCE_M
        ):
            return candidate.duplicate_of_id or candidate.id
    return None
