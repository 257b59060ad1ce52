"""The geohash codec against the published example, and the prefix property the maps rely on."""

from __future__ import annotations

import random

import pytest

from core import geohash


def test_the_published_example() -> None:
    assert geohash.encode(57.64911, 10.40744, 11) == "u4pruydqqvj"  # Niemeyer's example (geohash.org)
    west, south, east, north = geohash.bounds("u4pruydqqvj")
    assert west <= 10.40744 <= east
    assert south <= 57.64911 <= north


def test_a_cell_is_the_prefix_of_every_finer_cell_inside_it() -> None:
    rng = random.Random(19)
    for _ in range(500):
        latitude, longitude = rng.uniform(20.5, 21.4), rng.uniform(105.3, 106.0)
        stored = geohash.encode(latitude, longitude)
        assert len(stored) == geohash.STORED_PRECISION
        for precision in range(1, geohash.STORED_PRECISION + 1):
            assert geohash.encode(latitude, longitude, precision) == stored[:precision]
            west, south, east, north = geohash.bounds(stored[:precision])
            assert west <= longitude < east
            assert south <= latitude < north


def test_what_is_not_a_point_or_a_geohash_is_refused() -> None:
    with pytest.raises(ValueError, match="Not a point"):
        geohash.encode(91, 0)
    with pytest.raises(ValueError, match="Not a geohash"):
        geohash.bounds("w7ea")  # no "a" in geohash's alphabet
