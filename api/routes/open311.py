"""Open311 GeoReport v2, read-only, over GET under `/open311/v2/`: each route reads its parameters, calls one
service function (`services.open311`) and encodes the answer as `.json` or `.xml`. What the public may read of a
report is decided in `services.open311.documents`; anonymous readers are throttled like every anonymous read
(`api.throttle`). Errors are the standard's own document (`[{"code": 400, "description": ...}]`), in JSON or XML."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.errors import InvalidInput
from core.settings import Settings
from services.open311 import queries
from services.open311.documents import discovery
from services.open311.encoding import plain, to_xml

BASE = "/open311/v2"
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml; charset=utf-8"}

Handler = Callable[[Request, "Open311"], Awaitable[Response]]


class Open311:
    """The narrow settings the view needs: where it is published, whether it is production, how long photo links
    live."""

    def __init__(self, settings: Settings) -> None:
        self.base_url = f"{settings.public_url}{BASE}/"
        self.production = settings.is_production
        self.media_url_ttl_seconds = settings.media_url_ttl_seconds

    def links(self, request: Request) -> queries.MediaLinks:
        return queries.MediaLinks(request.app.state.storage, self.media_url_ttl_seconds)


def encoded(request: Request, root: str, document: Any, status: int = 200) -> Response:
    if request.path_params.get("format") == "xml":
        return Response(to_xml(root, document), status_code=status, media_type=MEDIA_TYPES["xml"])
    body = json.dumps(plain(document), ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type=MEDIA_TYPES["json"])


def error(request: Request, status: int, description: str) -> Response:
    return encoded(request, "errors", [{"code": status, "description": description}], status)


async def discovery_document(request: Request, view: Open311) -> Response:
    return encoded(request, "discovery", discovery(view.base_url, view.production))


async def service_list(request: Request, view: Open311) -> Response:
    return encoded(request, "services", await queries.list_services())


async def service_definition(request: Request, view: Open311) -> Response:
    found = await queries.find_service(request.path_params["code"])
    if found is None:
        return error(request, 404, "No such service_code.")
    return encoded(request, "service_definition", {"service_code": found.service_code, "attributes": []})


async def request_list(request: Request, view: Open311) -> Response:
    params = request.query_params
    names = ("service_request_id", "service_code", "status", "start_date", "end_date", "page", "page_size")
    try:
        conditions = queries.request_filter(**{name: params.get(name) for name in names})
    except InvalidInput as refusal:
        return error(request, 400, str(refusal))
    return encoded(request, "service_requests", await queries.list_requests(conditions, view.links(request)))


async def single_request(request: Request, view: Open311) -> Response:
    found = await queries.find_request(request.path_params["code"], view.links(request))
    if found is None:
        return error(request, 404, "No such service_request_id.")
    return encoded(request, "service_requests", [found])


def open311_routes(settings: Settings) -> list[Route]:
    view = Open311(settings)

    def route(path: str, handler: Handler) -> Route:
        async def endpoint(request: Request) -> Response:
            if request.path_params["format"] not in MEDIA_TYPES:
                return error(request, 404, "Ask for .json or .xml.")
            return await handler(request, view)

        return Route(f"{BASE}{path}.{{format}}", endpoint, methods=["GET"])

    return [
        route("/discovery", discovery_document),
        route("/services", service_list),
        route("/services/{code}", service_definition),
        route("/requests", request_list),
        route("/requests/{code}", single_request),
    ]
