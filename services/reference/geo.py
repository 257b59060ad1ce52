"""Where in Hanoi a point is: the nearest ward centre, and whether the point is in the city at all.

The city's outline is not in our data, only the centres and areas of its 126 wards and communes. A point counts as
inside Hanoi when it lies within the reach of some ward: the radius of a disc of that ward's area, doubled to allow
for elongated shapes, plus one kilometre. That is more forgiving than a polygon at the edges and much tighter than a
bounding box, which would take in parts of Hưng Yên and Bắc Ninh.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import models

EARTH_RADIUS_M = 6_371_000.0
REACH_MARGIN_M = 1_000.0


@dataclass(frozen=True)
class WardCentre:
    code: str
    latitude: float
    longitude: float
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
            reach_m=2 * math.sqrt(row["areaKm2"] / math.pi) * 1000 + REACH_MARGIN_M,
        )
        for row in rows
    )


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
