"""The reads behind the GeoReport v2 view: services from the categories, requests from the reports.

Filters and paging run in SQL (newest first, `page` and `page_size` as the common GeoReport servers take them), and a
page of requests is at most three statements whatever its size: the reports with their category, agency and ward
joined, then the last answers and the first photos of the faults among them. The reporter is never read.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import clock
from core.errors import InvalidInput
from models.decisions import Decision
from models.enums import CategoryKind, MediaStatus, ReportStatus
from models.media import Media
from models.reference import Category
from models.reports import Report
from services.media.access import served_keys
from services.media.storage import Storage
from services.open311.documents import PublicFacts, Service, ServiceRequest, service, service_request
from services.reports.status import FINAL, OPEN

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 200
# The standard's default window when no date is given.
DEFAULT_DAYS = 90
MAX_LIST_ITEMS = 100
MAX_PARAMETER_LENGTH = 2000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
CATEGORY_CODE = re.compile(r"[A-Z0-9_]{1,40}")
REPORT_CODE = re.compile(r"PA-[0-9]{4}-[0-9]{6}")
STATUSES: dict[str, tuple[ReportStatus, ...]] = {"open": OPEN, "closed": tuple(FINAL)}


@dataclass(frozen=True)
class MediaLinks:
    """How a fault's photo becomes a link: the store signs it for `ttl_seconds`, as for the apps."""

    storage: Storage
    ttl_seconds: int


@dataclass(frozen=True)
class RequestFilter:
    """GET Service Requests' parameters, checked: `service_request_id` (codes; it overrides the others, as the
    standard says), `service_code`, `status`, `start_date`/`end_date` (on the submission time, end excluded)."""

    codes: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[ReportStatus, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def request_filter(
    *,
    service_request_id: str | None = None,
    service_code: str | None = None,
    status: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
) -> RequestFilter:
    """The filter from the parameters as a client wrote them; anything malformed is `InvalidInput` naming it."""
    codes = _items("service_request_id", service_request_id, REPORT_CODE)
    service_codes = _items("service_code", service_code, CATEGORY_CODE)
    statuses: list[ReportStatus] = []
    for name in _items("status", status, re.compile("open|closed")):
        statuses += STATUSES[name]
    return RequestFilter(
        codes=codes,
        service_codes=service_codes,
        statuses=tuple(statuses),
        start=_instant("start_date", start_date),
        end=_instant("end_date", end_date),
        page=_number("page", page, 1, MAX_PAGE),
        page_size=_number("page_size", page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


async def list_services() -> list[Service]:
    categories = await Category.filter(active=True).order_by("sort_order", "code")
    return [service(c.code, c.name, c.description, c.kind) for c in categories]


async def find_service(code: str) -> Service | None:
    if not CATEGORY_CODE.fullmatch(code):
        return None
    category = await Category.get_or_none(code=code, active=True)
    return None if category is None else service(category.code, category.name, category.description, category.kind)


async def list_requests(
    conditions: RequestFilter, links: MediaLinks, now: datetime | None = None
) -> list[ServiceRequest]:
    query = Report.all()
    if conditions.codes:
        query = query.filter(code__in=list(conditions.codes))
    else:
        end = conditions.end or (now or clock.now())
        start = conditions.start or (end - timedelta(days=DEFAULT_DAYS))
        query = query.filter(submitted_at__gte=start, submitted_at__lt=end)
        if conditions.service_codes:
            query = query.filter(category_id__in=list(conditions.service_codes))
        if conditions.statuses:
            query = query.filter(status__in=list(conditions.statuses))
    offset = (conditions.page - 1) * conditions.page_size
    reports = (
        await query.select_related("category", "agency", "ward")
        .order_by("-submitted_at", "-id")
        .offset(offset)
        .limit(conditions.page_size)
    )
    return await _published(reports, links)


async def find_request(code: str, links: MediaLinks) -> ServiceRequest | None:
    if not REPORT_CODE.fullmatch(code):
        return None
    reports = await Report.filter(code=code).select_related("category", "agency", "ward")
    published = await _published(reports, links)
    return published[0] if published else None


async def _published(reports: Sequence[Report], links: MediaLinks) -> list[ServiceRequest]:
    """The documents of `reports`: the answers and photos of the faults among them in one statement each (a
    violation's are never read)."""
    faults = [r.id for r in reports if r.category.kind is CategoryKind.INFRASTRUCTURE]
    answers: dict[uuid.UUID, str] = {}
    photos: dict[uuid.UUID, Media] = {}
    if faults:
        for decision in await Decision.filter(report_id__in=faults).order_by("decided_at", "id"):
            if decision.response_to_citizen:
                answers[decision.report_id] = decision.response_to_citizen
        ready = Media.filter(report_id__in=faults, status=MediaStatus.READY).order_by("created_at", "id")
        for media in await ready:
            if media.report_id is not None:
                photos.setdefault(media.report_id, media)
    documents = []
    for report in reports:
        photo = photos.get(report.id)
        documents.append(
            service_request(
                PublicFacts(
                    code=report.code,
                    status=report.status,
                    kind=report.category.kind,
                    category_code=report.category.code,
                    category_name=report.category.name,
                    agency_name=report.agency.name,
                    ward_name=report.ward.name,
                    ward_latitude=report.ward.latitude,
                    ward_longitude=report.ward.longitude,
                    submitted_at=report.submitted_at,
                    updated_at=report.updated_at,
                    due_at=report.due_at,
                    description=report.description,
                    address=report.address,
                    latitude=report.latitude,
                    longitude=report.longitude,
                    answer=answers.get(report.id, ""),
                    media_url=None if photo is None else await _link(photo, links),
                )
            )
        )
    return documents


async def _link(media: Media, links: MediaLinks) -> str | None:
    keys = served_keys(media)
    if keys.url_key is None:
        return None
    return await links.storage.signed_url(keys.url_key, links.ttl_seconds, keys.url_type)


def _checked_length(name: str, value: str) -> str:
    if len(value) > MAX_PARAMETER_LENGTH:
        raise InvalidInput(f"`{name}` is too long.", field=name, maxLength=MAX_PARAMETER_LENGTH)
    return value


def _items(name: str, value: str | None, shape: re.Pattern[str]) -> tuple[str, ...]:
    """A comma-delimited list, as the standard writes multiple values."""
    if not value:
        return ()
    items = [item.strip() for item in _checked_length(name, value).split(",") if item.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise InvalidInput(f"`{name}` lists too many values.", field=name, maxItems=MAX_LIST_ITEMS)
    wrong = [item for item in items if not shape.fullmatch(item)]
    if wrong:
        raise InvalidInput(f"`{name}` has a value that cannot be one: {wrong[0][:50]!r}.", field=name)
    return tuple(dict.fromkeys(items))


def _instant(name: str, value: str | None) -> datetime | None:
    """A W3C date-time with its offset (`Z` or `+07:00`), as the standard asks."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(_checked_length(name, value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"`{name}` must be a date-time such as 2026-11-01T00:00:00+07:00.", field=name) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"`{name}` needs its offset, such as +07:00 or Z.", field=name)
    if not EARLIEST <= moment <= LATEST:
        raise InvalidInput(f"`{name}` must lie between 2000 and 2100.", field=name)
    return moment


def _number(name: str, value: str | None, default: int, maximum: int) -> int:
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not 1 <= int(value[:6]) <= maximum or len(value) > 6:
        raise InvalidInput(f"`{name}` must be a whole number from 1 to {maximum}.", field=name)
    return int(value)
