"""Geohash, the grid the hotspot maps count on: encoding a point, and the box of a cell.

A geohash of precision p names a cell of the world split alternately by longitude and latitude, 5 bits per character
(base 32). A cell of precision p is the prefix of length p of every geohash inside it, which is the property the maps
rely on: reports keep one geohash of `STORED_PRECISION`, and the database groups them at any coarser precision by
the prefix alone (`substr(geohash, 1, p)`), on SQLite and PostgreSQL alike, with no extension. Pure Python, about
a microsecond per character; the standard algorithm (Niemeyer, 2008), written here rather than taken from a package
for forty lines.
"""

from __future__ import annotations

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
DECODE = {character: index for index, character in enumerate(BASE32)}
# What a report stores: cells of about 38 x 19 m, finer than any map asks for.
STORED_PRECISION = 8


def encode(latitude: float, longitude: float, precision: int = STORED_PRECISION) -> str:
    """The cell of precision `precision` holding the point (WGS 84 degrees). Points on a cell's southern or western
    edge belong to it; the northern and eastern edges of the world belong to the last cells."""
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ValueError(f"Not a point on Earth: ({latitude}, {longitude}).")
    south, north, west, east = -90.0, 90.0, -180.0, 180.0
    characters: list[str] = []
    even, bits, value = True, 0, 0
    while len(characters) < precision:
        if even:
            middle = (west + east) / 2
            bit = longitude >= middle
            west, east = (middle, east) if bit else (west, middle)
        else:
            middle = (south + north) / 2
            bit = latitude >= middle
            south, north = (middle, north) if bit else (south, middle)
        value = value * 2 + int(bit)
        even, bits = not even, bits + 1
        if bits == 5:
            characters.append(BASE32[value])
            bits, value = 0, 0
    return "".join(characters)


def bounds(geohash: str) -> tuple[float, float, float, float]:
    """The cell's box as (west, south, east, north) in degrees: GeoJSON's `bbox` order."""
    south, north, west, east = -90.0, 90.0, -180.0, 180.0
    even = True
    for character in geohash:
        value = DECODE.get(character)
        if value is None:
            raise ValueError(f"Not a geohash: {geohash!r}.")
        for shift in range(4, -1, -1):
            bit = (value >> shift) & 1
            if even:
                middle = (west + east) / 2
                west, east = (middle, east) if bit else (west, middle)
            else:
                middle = (south + north) / 2
                south, north = (middle, north) if bit else (south, middle)
            even = not even
    return west, south, east, north


def centre(geohash: str) -> tuple[float, float]:
    """The cell's centre as (latitude, longitude)."""
    west, south, east, north = bounds(geohash)
    return (south + north) / 2, (west + east) / 2
