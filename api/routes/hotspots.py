"""`GET /hotspots.geojson`: the hotspot cells as a GeoJSON FeatureCollection for Leaflet, MapLibre and the like.

The same service as the `hotspots` query (`services.hotspots`), so the same rules: without a token the public view
(the whole city, cells of at least HOTSPOT_MIN_COUNT reports), with a bearer token the caller's (the authentication
middleware has put the principal on the request). Anonymous requests share the per-address throttle of anonymous
GraphQL (`api.throttle`). Cached like public GraphQL GETs (`api.http_cache`): the public answer `public,
max-age=STATISTICS_CACHE_SECONDS` with a weak ETag (304 on `If-None-Match`), a signed-in one `private, no-store`.
A refused parameter is 400 with the GraphQL error shape (`BAD_USER_INPUT`, `extensions.field`), another agency's
cells 403 `FORBIDDEN`.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api import http_cache
from api.authentication import principal_of
from api.errors import error_response
from core.errors import DomainError, Forbidden, InvalidInput
from core.settings import Settings
from services.hotspots import cells
from services.hotspots.geojson import feature_collection, read_parameters

PATH = "/hotspots.geojson"
MEDIA_TYPE = "application/geo+json"
STATUS_OF = {InvalidInput.code: 400, Forbidden.code: 403}


def hotspot_routes(settings: Settings) -> list[Route]:
    rules = cells.HotspotRules(settings.hotspot_min_count, settings.hotspot_max_cells)
    public = f"public, max-age={settings.statistics_cache_seconds}"

    async def geojson(request: Request) -> Response:
        try:
            precision, wanted = read_parameters(
                {name: request.query_params.getlist(name) for name in request.query_params}
            )
            found = await cells.hotspots(principal_of(request), wanted, precision, rules)
        except (InvalidInput, Forbidden) as refusal:
            return _refused(refusal)
        response = Response(orjson.dumps(feature_collection(found)), media_type=MEDIA_TYPE)
        return http_cache.apply(request, response, http_cache.PRIVATE if "authorization" in request.headers else public)

    return [Route(PATH, geojson, methods=["GET"])]


def _refused(refusal: DomainError) -> JSONResponse:
    return error_response(STATUS_OF[refusal.code], refusal.code, refusal.message, **refusal.extensions)
