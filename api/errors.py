"""JSON answers, in GraphQL's error shape, for requests that never reach a resolver: a body that is no GraphQL request
(400 `BAD_USER_INPUT`), a method or content type the endpoint does not serve (405 `METHOD_NOT_ALLOWED`, 415
`UNSUPPORTED_MEDIA_TYPE`), the database out of reach (503 `UNAVAILABLE`) and bugs (500 `INTERNAL`). Never plain text:
a client parses every answer the same way, and the request id middleware, outermost, adds `X-Request-ID` to each.
"""

from __future__ import annotations

import json
import logging
from typing import cast

from cross_web import HTTPException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.errors import InvalidInput, NotFound, PayloadTooLarge, Unavailable, UnsupportedMediaType
from core.request_id import current_request_id
from schema.base.errors import INTERNAL_MESSAGE, UNAVAILABLE_MESSAGE, database_unavailable

logger = logging.getLogger("phananh.errors")

# How long a client should wait before retrying while the database is out of reach.
RETRY_AFTER_SECONDS = 5


def error_response(status: int, code: str, message: str, **extensions: object) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status_code=status)


METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"


def _code_of(status: int) -> str:
    return {
        404: NotFound.code,
        405: METHOD_NOT_ALLOWED,
        413: PayloadTooLarge.code,
        415: UnsupportedMediaType.code,
    }.get(status, InvalidInput.code)


def refused_request(refusal: HTTPException) -> JSONResponse:
    """What strawberry's view refuses before executing (no query, a body it cannot read, a method or content type it
    does not serve), with its status and reason, as an error a client can parse. A GraphQL request error has no
    `data` entry (GraphQL over HTTP): nothing was executed."""
    response = JSONResponse(
        {"errors": [{"message": refusal.reason, "extensions": {"code": _code_of(refusal.status_code)}}]},
        status_code=refusal.status_code,
    )
    if refusal.status_code == 405:
        response.headers["allow"] = "POST"
    return response


async def http_refusal(request: Request, refusal: Exception) -> JSONResponse:
    """Starlette's own refusals (no such path, a method the route does not serve), as JSON too."""
    http = cast(StarletteHTTPException, refusal)  # Starlette calls this handler for its HTTPException only
    response = error_response(http.status_code, _code_of(http.status_code), http.detail)
    response.headers.update(http.headers or {})
    return response


def decode_json_body(data: str | bytes) -> object:
    """The request body as JSON, refused (400) when it is not UTF-8, nests deeper than the interpreter recurses,
    holds a number too long to read, or is not an object (or a list, which batching then refuses)."""
    try:
        decoded = json.loads(data)
    except RecursionError:
        raise HTTPException(400, "The request body nests too deeply.") from None
    except ValueError:  # not JSON, not UTF-8, or an integer of thousands of digits
        raise HTTPException(400, "Unable to parse request body as JSON") from None
    if not isinstance(decoded, dict | list):
        raise HTTPException(400, 'The request body must be a JSON object: {"query": "...", "variables": {...}}.')
    return decoded


async def unhandled_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's answer to an exception that escaped every route: 503 while the database is out of reach (a signed-in
    request checks its account there first), else 500; both logged with the request id."""
    request_id = current_request_id()
    if database_unavailable(error):
        logger.warning("database unavailable [request %s]: %s", request_id, type(error).__name__)
        response = error_response(503, Unavailable.code, UNAVAILABLE_MESSAGE, requestId=request_id)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    logger.error("unhandled error [request %s]", request_id, exc_info=error)
    return error_response(500, "INTERNAL", INTERNAL_MESSAGE, requestId=request_id)
