"""Hotspot maps: reports counted per geohash cell (see `services.hotspots.cells`)."""
