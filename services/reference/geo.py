"""Where in Hanoi a point is: the nearest ward centre, and whether the point is in the city at all.

The city's outline is not in our data, only the centres and areas of its 126 wards and communes. A point counts as
inside Hanoi when it lies within the reach of some ward: the radius of a disc of that ward's area, doubled to allow
for elongated shapes, plus one kilometre. That is more forgiving than a polygon at the edges and much tighter than a
bounding box, which would take in parts of Hưng Yên and Bắc Ninh.

The ward of a report is the ward of its point, never the citizen's choice alone: a chosen ward decides where the
report is routed and which ward's figures it counts in. Without polygons, "the ward of a point" is the nearest ward
centre, which can be wrong near a border; so a ward the citizen names is kept when the point lies within that ward's
allowance (the radius of a disc of its area plus `BORDER_ALLOWANCE_M`), and refused otherwise.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import models
from core.errors import InvalidInput

EARTH_RADIUS_M = 6_371_000.0
REACH_MARGIN_M = 1_000.0
BORDER_ALLOWANCE_M = 500.0


@dataclass(frozen=True)
class WardCentre:
    code: str
    latitude: float
    longitude: float
    radius_m: float
    reach_m: float


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); accurate to well under a metre at city scale."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@cache
def ward_centres() -> tuple[WardCentre, ...]:
    """Read once from the packaged reference data: it changes only with a new administrative reorganisation."""
    path = Path(models.__file__).parent / "data" / "wards.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        WardCentre(
            code=row["code"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            radius_m=_disc_radius_m(row["areaKm2"]),
            reach_m=2 * _disc_radius_m(row["areaKm2"]) + REACH_MARGIN_M,
        )
        for row in rows
    )


def _disc_radius_m(area_km2: float) -> float:
    return math.sqrt(area_km2 / math.pi) * 1000


def nearest_ward(latitude: float, longitude: float) -> tuple[WardCentre, float]:
    """The ward whose centre is closest, and the distance to it in metres."""
    return min(
        ((ward, distance_m(latitude, longitude, ward.latitude, ward.longitude)) for ward in ward_centres()),
        key=lambda pair: pair[1],
    )


def in_hanoi(latitude: float, longitude: float) -> bool:
    return any(
        distance_m(latitude, longitude, ward.latitude, ward.longitude) <= ward.reach_m for ward in ward_centres()
    )


def ward_of_point(latitude: float, longitude: float, claimed: str | None, *, field: str) -> str:
    """The ward a report at this point belongs to: `claimed` when the point lies within its allowance, else the
    nearest ward. A claimed code that is no ward, or a ward too far from the point, is refused on `field`."""
    nearest, _ = nearest_ward(latitude, longitude)
    if claimed is None or claimed == nearest.code:
        return nearest.code
    ward = next((centre for centre in ward_centres() if centre.code == claimed), None)
    if ward is None:
        raise InvalidInput(f"There is no ward with the code {claimed!r}.", field=field)
    if distance_m(latitude, longitude, ward.latitude, ward.longitude) > ward.radius_m + BORDER_ALLOWANCE_M:
        raise InvalidInput(
            f"This place is not in ward {claimed}: it is nearest to ward {nearest.code}.",
            field=field,
            nearestWardCode=nearest.code,
        )
    return claimed
