"""The anchor of `bench.reports`: the console's first page of reports, the JSON `reports(first: 20)` answers for
`CONSOLE_PAGE`, served by plain Starlette and asyncpg from the same rows: hand-written SQL, no GraphQL, no ORM.

It keeps the rules that decide the answer: a valid access token of a user that still exists and is active (re-read
on every request, as the API does), staff only, officers and agency admins their own agency's reports, admins all.

    DATABASE_URL=postgres://... JWT_SECRET=... JWT_ISSUER=phananh-api JWT_AUDIENCE=phananh-clients \\
        uvicorn bench.anchors.reports_app:app

POST /graphql takes the body the API takes and reads only `variables.first`; GET /healthz answers `ok`.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

CONSOLE_PAGE = """
query ConsolePage($first: Int) {
  reports(first: $first) {
    edges { node {
      id code status description occurredAt submittedAt updatedAt plateNumber channel dueAt
      location { latitude longitude address ward { code name } }
      category { code name }
      agency { code name }
      media { id }
      decisions { id outcome decidedAt }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

STAFF = {"OFFICER", "AGENCY_ADMIN", "ADMIN"}
USER = 'SELECT role, agency_id, is_active, merged_into_id FROM "user" WHERE id = $1'
COLUMNS = """
SELECT r.id, r.code, r.status, r.description, r.occurred_at, r.submitted_at, r.updated_at, r.plate_number, r.channel,
       COALESCE(r.verification_due_at, r.due_at) AS due_at, r.latitude, r.longitude, r.address,
       w.code AS ward_code, w.name AS ward_name,
       c.code AS category_code, c.name AS category_name, a.code AS agency_code, a.name AS agency_name
FROM report r
JOIN ward w ON w.code = r.ward_id
JOIN category c ON c.code = r.category_id
JOIN agency a ON a.id = r.agency_id
"""
AGENCY_PAGE = f"{COLUMNS} WHERE r.agency_id = $1 ORDER BY r.submitted_at DESC, r.id DESC LIMIT $2"
CITY_PAGE = f"{COLUMNS} ORDER BY r.submitted_at DESC, r.id DESC LIMIT $1"
MEDIA = "SELECT report_id, id FROM media WHERE report_id = ANY($1::uuid[]) ORDER BY created_at, id"
DECISIONS = (
    "SELECT report_id, id, outcome, decided_at FROM decision WHERE report_id = ANY($1::uuid[]) ORDER BY decided_at, id"
)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.token_keys = (os.environ["JWT_SECRET"], os.environ["JWT_ISSUER"], os.environ["JWT_AUDIENCE"])
    async with asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=10) as pool:
        app.state.pool = pool
        yield


def error(code: str, message: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def page(request: Request) -> JSONResponse:
    authorization = request.headers.get("authorization", "")
    if not authorization.lower().startswith("bearer "):
        return error("UNAUTHENTICATED", "Sign in first.", 401)
    secret, issuer, audience = request.app.state.token_keys
    try:
        claims = jwt.decode(
            authorization[7:].strip(),
            secret,
            algorithms=["HS256"],
            audience=audience,
            issuer=issuer,
            leeway=10,
            options={"require": ["iss", "aud", "sub", "exp", "iat", "jti"]},
        )
    except jwt.InvalidTokenError:
        return error("UNAUTHENTICATED", "This token is not valid.", 401)
    first = ((await request.json()).get("variables") or {}).get("first") or 20
    if not 1 <= first <= 100:
        return error("BAD_USER_INPUT", "`first` must be between 1 and 100.")
    async with request.app.state.pool.acquire() as connection:
        user = await connection.fetchrow(USER, uuid.UUID(claims["sub"]))
        if user is not None and user["merged_into_id"] is not None:
            user = await connection.fetchrow(USER, user["merged_into_id"])
        if user is None or not user["is_active"]:
            return error("UNAUTHENTICATED", "This account can no longer sign in.", 401)
        if user["role"] not in STAFF:
            return error("FORBIDDEN", "Only agency staff list reports.")
        if user["role"] == "ADMIN":
            rows = await connection.fetch(CITY_PAGE, first + 1)
        else:
            rows = await connection.fetch(AGENCY_PAGE, user["agency_id"] or uuid.UUID(int=0), first + 1)
        ids = [row["id"] for row in rows[:first]]
        media = await connection.fetch(MEDIA, ids)
        decisions = await connection.fetch(DECISIONS, ids)
    return JSONResponse({"data": {"reports": connection_of(rows, first, media, decisions)}})


def connection_of(rows: list[Any], first: int, media: list[Any], decisions: list[Any]) -> dict[str, Any]:
    media_of: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for row in media:
        media_of.setdefault(row["report_id"], []).append({"id": str(row["id"])})
    decisions_of: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for row in decisions:
        decisions_of.setdefault(row["report_id"], []).append(
            {"id": str(row["id"]), "outcome": row["outcome"], "decidedAt": row["decided_at"].isoformat()}
        )
    shown = rows[:first]
    edges = [{"node": node(row, media_of.get(row["id"], []), decisions_of.get(row["id"], []))} for row in shown]
    end_cursor = cursor(shown[-1]["submitted_at"], shown[-1]["id"]) if shown else None
    return {"edges": edges, "pageInfo": {"hasNextPage": len(rows) > first, "endCursor": end_cursor}}


def node(row: Any, media: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "code": row["code"],
        "status": row["status"],
        "description": row["description"],
        "occurredAt": row["occurred_at"].isoformat(),
        "submittedAt": row["submitted_at"].isoformat(),
        "updatedAt": row["updated_at"].isoformat(),
        "plateNumber": row["plate_number"],
        "channel": row["channel"],
        "dueAt": row["due_at"].isoformat() if row["due_at"] else None,
        "location": {
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "address": row["address"],
            "ward": {"code": row["ward_code"], "name": row["ward_name"]},
        },
        "category": {"code": row["category_code"], "name": row["category_name"]},
        "agency": {"code": row["agency_code"], "name": row["agency_name"]},
        "media": media,
        "decisions": decisions,
    }


def cursor(at: datetime, row_id: uuid.UUID) -> str:
    """The API's opaque keyset cursor (services/common/pagination.py)."""
    return base64.urlsafe_b64encode(f"{at.astimezone(UTC).isoformat()}|{row_id}".encode()).decode()


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[Route("/graphql", page, methods=["POST"]), Route("/healthz", healthz)],
    lifespan=lifespan,
)
