"""The hotspot cells as GeoJSON (RFC 7946) for map libraries, and the query parameters of `GET /hotspots.geojson`.

Every parameter is checked before anything runs: only the known names, each at most once and at most
`MAX_PARAMETER_LENGTH` characters, each of its own shape; anything else is `InvalidInput` naming the parameter.
A cell is a Feature whose geometry is its box as a Polygon: one exterior ring, counterclockwise (the right-hand rule
of RFC 7946), closed (the last position is the first), positions in [longitude, latitude] order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from core.errors import InvalidInput
from core.ids import parse_uuid
from models.enums import CategoryKind, ReportStatus
from services.hotspots.cells import (
    DEFAULT_PRECISION,
    MAX_PRECISION,
    MIN_PRECISION,
    Cell,
    HotspotFilter,
    Hotspots,
    check_precision,
)

MAX_PARAMETER_LENGTH = 64
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2100, 1, 1)
PARAMETERS = ("precision", "from", "to", "category", "kind", "status", "agency")
SHAPES = {
    "precision": re.compile(r"[0-9]{1,2}"),
    "from": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "to": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "category": re.compile(r"[A-Z0-9_]{1,40}"),
    "kind": re.compile("|".join(kind.value for kind in CategoryKind)),
    "status": re.compile("|".join(status.value for status in ReportStatus)),
    "agency": re.compile(r"[0-9A-Za-z:-]{1,64}"),
}
EXPECTED = {
    "precision": f"an integer from {MIN_PRECISION} to {MAX_PRECISION}",
    "from": "a day, YYYY-MM-DD",
    "to": "a day, YYYY-MM-DD",
    "category": "a category code (A-Z, 0-9, _)",
    "kind": " or ".join(kind.value for kind in CategoryKind),
    "status": ", ".join(status.value for status in ReportStatus),
    "agency": "an agency id",
}


def read_parameters(params: Mapping[str, Sequence[str]]) -> tuple[int, HotspotFilter]:
    """The precision and the filter from the query string (each name with the list of its values)."""
    values: dict[str, str] = {}
    for name, given in params.items():
        if name not in SHAPES:
            raise InvalidInput(f"Unknown parameter {name[:MAX_PARAMETER_LENGTH]!r}; known: {', '.join(PARAMETERS)}.")
        if len(given) != 1:
            raise InvalidInput(f"Give `{name}` once.", field=name)
        value = given[0]
        if len(value) > MAX_PARAMETER_LENGTH:
            raise InvalidInput(
                f"`{name}` is longer than {MAX_PARAMETER_LENGTH} characters.",
                field=name,
                maxLength=MAX_PARAMETER_LENGTH,
            )
        if not SHAPES[name].fullmatch(value):
            raise InvalidInput(f"`{name}` must be {EXPECTED[name]}.", field=name)
        values[name] = value
    precision = check_precision(int(values.get("precision", DEFAULT_PRECISION)))
    if "agency" in values and parse_uuid(values["agency"]) is None:
        raise InvalidInput("`agency` is not an agency id.", field="agency")
    first, last = _day(values, "from"), _day(values, "to")
    if first is not None and last is not None and first > last:
        raise InvalidInput("`from` must not be after `to`.", field="to")
    wanted = HotspotFilter(
        date_from=first,
        date_to=last,
        category_code=values.get("category"),
        kind=CategoryKind(values["kind"]) if "kind" in values else None,
        status=ReportStatus(values["status"]) if "status" in values else None,
        agency_id=values.get("agency"),
    )
    return precision, wanted


def feature_collection(found: Hotspots) -> dict[str, Any]:
    """The cells as a FeatureCollection; what applied to them (audience, precision, minimum count, truncation) rides
    along as foreign members, which RFC 7946 allows and map libraries ignore."""
    return {
        "type": "FeatureCollection",
        "audience": found.audience.value,
        "precision": found.precision,
        "minCount": found.min_count,
        "truncated": found.truncated,
        "features": [_feature(cell) for cell in found.cells],
    }


def _feature(cell: Cell) -> dict[str, Any]:
    west, south, east, north = cell.bbox
    latitude, longitude = cell.centre
    return {
        "type": "Feature",
        "id": cell.geohash,
        "bbox": [west, south, east, north],
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
        },
        "properties": {
            "geohash": cell.geohash,
            "latitude": latitude,
            "longitude": longitude,
            "total": cell.total,
            "violations": cell.violations,
            "infrastructure": cell.infrastructure,
            "open": cell.open,
            "accepted": cell.accepted,
            "rejected": cell.rejected,
            "penalized": cell.penalized,
            "resolved": cell.resolved,
        },
    }


def _day(values: dict[str, str], name: str) -> date | None:
    if name not in values:
        return None
    try:
        day = date.fromisoformat(values[name])
    except ValueError:
        raise InvalidInput(f"`{name}` is not a day of the calendar.", field=name) from None
    if not EARLIEST_DAY <= day < LATEST_DAY:
        raise InvalidInput(f"`{name}` must lie between {EARLIEST_DAY} and {LATEST_DAY}.", field=name)
    return day
