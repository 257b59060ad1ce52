"""Hotspot maps: `hotspots` over GraphQL and `GET /hotspots.geojson`."""
