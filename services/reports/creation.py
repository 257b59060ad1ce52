"""The writes of a submission, run inside its transaction: route, number, claim media, flag duplicates, record.

Every statement runs on the submission's one connection, and what can go together goes together: the timeline's
rows in one batch, the media claimed by one conditional update (read only to explain a refusal). The statistics
rollup comes last: its rows are shared by every submission of the period, and a row's lock is held from its update
to the commit, so the shorter that is the less concurrent submissions wait. Codes come from `services.reports.codes`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import cache

from tortoise.backends.base.client import BaseDBAsyncClient

from core.errors import InvalidInput
from models.enums import Channel, MediaStatus, ReportEventKind
from models.events import ReportEvent
from models.media import Media
from models.outbox import OutboxKind
from models.reference import Category
from models.reports import Report
from services.common.sql import Statement, dialect_of, insert_rows
from services.custody import log as custody_log
from services.events import outbox
from services.notifications.routing import origin_oa
from services.reference import geo
from services.reports import codes
from services.reports.drafts import CleanReport
from services.routing.resolution import Route, resolve_route
from services.statistics import rollup

DUPLICATE_DISTANCE_M = 200.0
DUPLICATE_WINDOW = timedelta(hours=2)
NEARBY_IN_TIME = (
    "SELECT id, duplicate_of_id, latitude, longitude FROM report WHERE plate_number = ? AND category_id = ? "
    "AND occurred_at >= ? AND occurred_at <= ? ORDER BY submitted_at, id"
)


async def insert_report(
    connection: BaseDBAsyncClient, reporter_id: uuid.UUID, clean: CleanReport, category: Category, now: datetime
) -> tuple[Report, Route]:
    """Route, look for an earlier report of the same thing, number (last, so a refusal takes no number) and insert.
    Raises `codes.MissingSequence` the first time a year is numbered on PostgreSQL."""
    route = await resolve_route(category, clean.ward_code, connection)
    if route is None:
        raise InvalidInput(
            f"No agency handles {category.code} in ward {clean.ward_code} yet; call the hotline.",
            field="categoryCode",
        )
    duplicate_of = await _earliest_duplicate(connection, clean)
    year = codes.year_of(now)
    (number,) = await codes.take(connection, year)
    report = await Report.create(
        code=codes.code(year, number),
        category_id=category.code,
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
        due_at=now + timedelta(hours=category.service_level_hours),
        zalo_oa=await origin_oa(connection, reporter_id) if clean.channel is Channel.ZALO else None,
        using_db=connection,
    )
    return report, route


async def attach_and_record(
    connection: BaseDBAsyncClient,
    sender_id: uuid.UUID,
    clean: CleanReport,
    report: Report,
    route: Route,
    now: datetime,
) -> None:
    """Claim the media (so two reports can never share one photo), open the chain of custody with what was received
    (`services.custody.log.opening`), write the timeline and the outbox event, and count the report in the
    statistics. The sender (the reporter, or the staff member who recorded the report for
    them) owns the media and is the actor of SUBMITTED. The chain and the timeline go with the outbox row: one
    statement on PostgreSQL."""
    originals = await _claim_media(connection, sender_id, clean.media_ids, report.id)
    chain = custody_log.opening(report, originals, at=now)
    events = [
        ReportEvent(
            report_id=report.id,
            kind=ReportEventKind.SUBMITTED,
            actor_id=sender_id,
            at=now,
            data={"channel": report.channel},
        ),
        ReportEvent(
            report_id=report.id,
            kind=ReportEventKind.ROUTED,
            at=now,
            data={"agencyId": str(report.agency_id), "reason": route.reason},
        ),
    ]
    if report.duplicate_of_id is not None:
        events.append(
            ReportEvent(
                report_id=report.id,
                kind=ReportEventKind.DUPLICATE_FLAGGED,
                at=now,
                data={"duplicateOf": str(report.duplicate_of_id)},
            )
        )
    along = (insert_rows(chain), insert_rows(events))
    await outbox.record(connection, OutboxKind.SUBMITTED, report.id, report.agency_id, report.reporter_id, along)
    await rollup.apply(connection, None, rollup.Facts.of_report(report))


async def _claim_media(
    connection: BaseDBAsyncClient, owner_id: uuid.UUID, media_ids: tuple[uuid.UUID, ...], report_id: uuid.UUID
) -> list[Media]:
    """One conditional update claims them all and returns what the chain of custody records of each (one prepared
    statement: the ORM's query building cost more than the round trip); when it claims fewer than asked, they are
    read to say why (and the transaction is rolled back by the refusal)."""
    if not media_ids:
        return []
    claim = Statement(_claim_sql(len(media_ids)), (report_id, owner_id, MediaStatus.READY.value, *media_ids))
    bound = claim.bound(dialect_of(connection))
    rows = await connection.execute_query_dict(bound.sql, list(bound.params))
    if len(rows) == len(media_ids):
        return [Media._init_from_db(**row) for row in rows]
    found = {m.id: m for m in await Media.filter(id__in=media_ids, owner_id=owner_id).using_db(connection)}
    for media_id in media_ids:
        media = found.get(media_id)
        if media is None:
            raise InvalidInput(f"Media {media_id} is not one of your uploads.", field="mediaIds")
        if media.status is not MediaStatus.READY:
            raise InvalidInput(f"Media {media_id} has not passed its checks.", field="mediaIds")
        if media.report_id is not None and media.report_id != report_id:
            raise InvalidInput(f"Media {media_id} already belongs to a report.", field="mediaIds")
    raise InvalidInput("Some of these media were just used by another report.", field="mediaIds")


@cache
def _claim_sql(count: int) -> str:
    """The claim of `count` media, returning the columns `custody_log.opening` reads (written with `?`)."""
    returned = ", ".join(Media._meta.fields_db_projection[name] for name in custody_log.ORIGINAL_FIELDS)
    ids = ", ".join("?" * count)
    # Only the model's own column names and placeholders are put into the text.
    return (
        "UPDATE media SET report_id = ? WHERE owner_id = ? AND status = ? AND report_id IS NULL "  # noqa: S608
        f"AND id IN ({ids}) RETURNING {returned}"
    )


async def _earliest_duplicate(connection: BaseDBAsyncClient, clean: CleanReport) -> uuid.UUID | None:
    """The earliest report of the same plate and category close by in place and time, for an officer to confirm.
    One prepared statement (see `_claim_media`)."""
    if clean.plate_number is None:
        return None
    window = (clean.occurred_at - DUPLICATE_WINDOW, clean.occurred_at + DUPLICATE_WINDOW)
    bound = Statement(NEARBY_IN_TIME, (clean.plate_number, clean.category_code, *window)).bound(dialect_of(connection))
    for row in await connection.execute_query_dict(bound.sql, list(bound.params)):
        latitude, longitude = row["latitude"], row["longitude"]
        if latitude is None or longitude is None:
            continue
        if geo.distance_m(clean.latitude, clean.longitude, latitude, longitude) <= DUPLICATE_DISTANCE_M:
            return uuid.UUID(str(row["duplicate_of_id"] or row["id"]))
    return None
