"""Hotspot maps: reports counted per geohash cell, by the database, with the public's minimum count per cell."""
