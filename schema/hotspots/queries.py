"""`hotspots`: one service call; the role rules and the public's minimum per cell live in `services.hotspots`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base.info import Info
from schema.hotspots.inputs import HotspotFilterInput
from schema.hotspots.types import HotspotsType
from services.hotspots import cells
from services.hotspots.cells import HotspotFilter


@strawberry.type
class Query:
    @strawberry.field(
        description="Reports counted per geohash cell, aggregated by the database, for maps. Open to everyone: "
        "agency staff count their own agency's reports (FORBIDDEN if they name another), admins the city's; "
        "citizens and anonymous callers the whole city, but only cells with at least `minCount` reports. At most "
        "HOTSPOT_MAX_CELLS cells (default 2000), densest first, with `truncated` set when there were more. Also as "
        "GeoJSON: GET /hotspots.geojson."
    )
    async def hotspots(
        self,
        info: Info,
        filter: Annotated[
            HotspotFilterInput | None, strawberry.argument(description="Which reports; none counts all.")
        ] = None,
        precision: Annotated[
            int,
            strawberry.argument(
                description=f"Geohash precision of the cells, {cells.MIN_PRECISION} to {cells.MAX_PRECISION} "
                "(BAD_USER_INPUT outside): 5 is about 4.9 x 4.6 km in Hanoi, 6 about 1.2 x 0.6 km, 7 about 150 m."
            ),
        ] = cells.DEFAULT_PRECISION,
    ) -> HotspotsType:
        wanted = filter.to_filter() if filter is not None else HotspotFilter()
        found = await cells.hotspots(info.context.principal, wanted, precision, info.context.hotspot_rules)
        return HotspotsType.from_hotspots(found)
