"""The GeoReport v2 documents, and the one place that decides what of a report the public may read.

Privacy first, because anyone may read this view and nobody signs in to it:
- the reporter never appears, in any form (the standard's GET documents have no field for them, and we add none);
- a traffic violation accuses a person, so its request carries no description, no plate, no photo or video and no
  exact point: its place is its ward (name and centre) and its `status_notes` a fixed sentence per status, never the
  agency's answer, which is written to the citizen and may name the plate or the place;
- an infrastructure fault accuses nobody: it is published with its description, its address and point, the agency's
  answer and a link to its first photo (the metadata-free copy, as the apps see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.enums import CategoryKind, ReportStatus
from services.reports.status import FINAL

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this view last changed shape: discovery's `changeset`, for clients that cache the endpoint list.
CHANGESET = "2026-12-02T00:00:00+07:00"

# What the public reads of a violation's progress, instead of the answer written to its reporter.
VIOLATION_NOTES: dict[ReportStatus, str] = {
    ReportStatus.ROUTED: "Đã chuyển đến cơ quan có thẩm quyền xử lý.",
    ReportStatus.ASSIGNED: "Cán bộ đang xác minh phản ánh.",
    ReportStatus.ACCEPTED: "Đã tiếp nhận: đủ căn cứ xác minh.",
    ReportStatus.REJECTED: "Không đủ căn cứ để xử lý.",
    ReportStatus.PENALIZED: "Đã xử lý vi phạm theo quy định.",
    ReportStatus.RESOLVED: "Đã xử lý xong.",
}
GROUPS = {CategoryKind.VIOLATION: "Vi phạm giao thông", CategoryKind.INFRASTRUCTURE: "Hạ tầng giao thông"}


@dataclass(frozen=True)
class Service:
    """A category, as GeoReport v2's service list names its fields. No category asks extra questions, so
    `metadata` is false and a service definition has no attributes."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


@dataclass(frozen=True)
class ServiceRequest:
    """A report, as GeoReport v2's GET Service Requests names its fields (`long` is the standard's name)."""

    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str
    address_id: str | None
    zipcode: str | None
    lat: float
    long: float
    media_url: str | None


@dataclass(frozen=True)
class PublicFacts:
    """What the mapping reads of a report and its neighbours: the report's own columns are read from it, the rest
    (the category, the agency's name, the ward, the last answer, the first photo's link) come batched."""

    code: str
    status: ReportStatus
    kind: CategoryKind
    category_code: str
    category_name: str
    agency_name: str
    ward_name: str
    ward_latitude: float
    ward_longitude: float
    submitted_at: datetime
    updated_at: datetime
    due_at: datetime | None
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    answer: str
    media_url: str | None


def service(code: str, name: str, description: str, kind: CategoryKind) -> Service:
    return Service(
        service_code=code,
        service_name=name,
        description=description,
        metadata=False,
        type="realtime",
        keywords="",
        group=GROUPS[kind],
    )


def service_request(facts: PublicFacts) -> ServiceRequest:
    """The published request: a violation reduced to its ward and status, a fault shown as reported."""
    violation = facts.kind is CategoryKind.VIOLATION
    place = f"{facts.ward_name}, Hà Nội"
    exact = not violation and facts.latitude is not None and facts.longitude is not None
    return ServiceRequest(
        service_request_id=facts.code,
        status="closed" if facts.status in FINAL else "open",
        status_notes=VIOLATION_NOTES[facts.status] if violation or not facts.answer else facts.answer,
        service_name=facts.category_name,
        service_code=facts.category_code,
        description="" if violation else facts.description,
        agency_responsible=facts.agency_name,
        service_notice="",
        requested_datetime=facts.submitted_at.isoformat(),
        updated_datetime=facts.updated_at.isoformat(),
        expected_datetime=None if facts.due_at is None else facts.due_at.isoformat(),
        address=place if violation or not facts.address else f"{facts.address}, {place}",
        address_id=None,
        zipcode=None,
        lat=facts.latitude if exact and facts.latitude is not None else facts.ward_latitude,
        long=facts.longitude if exact and facts.longitude is not None else facts.ward_longitude,
        media_url=None if violation else facts.media_url,
    )


def discovery(base_url: str, production: bool) -> dict[str, object]:
    """The discovery document: where this GeoReport v2 endpoint is and what it speaks."""
    return {
        "changeset": CHANGESET,
        "contact": f"Hanoi traffic-report API, {base_url}",
        "key_service": "None needed: this endpoint is read-only and open to everyone.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production" if production else "test",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
