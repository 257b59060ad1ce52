"""Development-only routes: read the dev SMS outbox without a phone, and the answers the dev notifier would have sent
through Zalo. Never mounted in production."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.notifications import dev_notification_outbox
from api.signin import dev_sms_outbox
from auth.phones import normalise_phone
from core.errors import InvalidInput
from core.settings import Settings

MAX_LIMIT = 100


def dev_routes(settings: Settings) -> list[Route]:
    if settings.is_production:
        return []
    return [*_otp_routes(settings), *_notification_routes(settings)]


def _limit(request: Request) -> int:
    return min(MAX_LIMIT, max(1, int(request.query_params.get("limit", "20"))))


def _notification_routes(settings: Settings) -> list[Route]:
    outbox = dev_notification_outbox(settings)
    if outbox is None:
        return []

    async def read_notifications(request: Request) -> JSONResponse:
        """`GET /dev/notifications?to=<zalo user id>&limit=5`: the latest answers sent to citizens, newest first."""
        try:
            limit = _limit(request)
        except ValueError as exc:
            return JSONResponse({"error": str(exc), "code": "BAD_USER_INPUT"}, status_code=400)
        return JSONResponse({"messages": outbox.read(request.query_params.get("to"), limit)})

    return [Route("/dev/notifications", read_notifications, methods=["GET"])]


def _otp_routes(settings: Settings) -> list[Route]:
    outbox = dev_sms_outbox(settings)
    if outbox is None:
        return []

    async def read_outbox(request: Request) -> JSONResponse:
        """`GET /dev/outbox?phone=0912345678&limit=5`: the latest sign-in codes sent, newest first."""
        raw_phone = request.query_params.get("phone")
        try:
            phone = normalise_phone(raw_phone) if raw_phone else None
            limit = _limit(request)
        except (InvalidInput, ValueError) as exc:
            return JSONResponse({"error": str(exc), "code": "BAD_USER_INPUT"}, status_code=400)
        return JSONResponse({"messages": outbox.read(phone, limit)})

    return [Route("/dev/outbox", read_outbox, methods=["GET"])]
