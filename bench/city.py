"""The database a benchmark runs on: a scratch database (PostgreSQL on the server given, or a SQLite file) built by
the real migrations and seed, optionally with the demo city, dropped afterwards; and the callers that use it.

One environment (`City.env`) serves the benchmark's own process (through `Settings`), the API's server and the
anchor's, so that all three read the same database with the same token keys.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from api.db import close_db, init_db, migrate
from api.signin import token_codec
from auth.principal import Principal
from bench.cli import fail
from core.clock import HANOI_TIME
from core.settings import Settings
from models.agencies import Agency
from models.enums import MediaKind, MediaStatus, Role
from models.media import Media
from models.users import User
from services.demo.data import DemoPlan
from services.demo.dataset import seed_demo
from services.reference.seed import seed_reference_data
from tests.helpers.databases import scratch_database

# A demo city small enough for a smoke run (a second or two to load), with every kind of outcome in it.
SMOKE_DEMO = DemoPlan(reports=300, accepted=90, penalized=60, impounded=3)
SUBMIT_REPORT = """
mutation($input: SubmitReportInput!, $key: String!) { submitReport(input: $input, idempotencyKey: $key) { id code } }
"""


@dataclass(frozen=True)
class City:
    env: dict[str, str]
    settings: Settings

    def token(self, user: User) -> str:
        return token_codec(self.settings).issue(Principal.of(user)).token


@asynccontextmanager
async def scratch_city(
    kind: str, pg_url: str, var: Path, *, demo: DemoPlan | None = None, events_url: str = "memory://"
) -> AsyncIterator[City]:
    """A fresh database of `kind` (`postgres` on `pg_url`, or `sqlite` in `var`), migrated and seeded, with the demo
    city when `demo` is given; Tortoise stays connected in this process until the end."""
    async with scratch_database(kind, pg_url, var) as database_url:
        env = {
            "APP_ENV": "test",
            "DATABASE_URL": database_url,
            "VAR_DIR": str(var),
            "STORAGE_URL": f"file://{var / 'media'}",
            "EVENTS_URL": events_url,
            "EVENTS_CHANNEL": f"bench-{uuid.uuid4().hex[:8]}",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "JWT_ISSUER": "phananh-api",
            "JWT_AUDIENCE": "phananh-clients",
            "LOG_LEVEL": "WARNING",
        }
        settings = Settings.from_env(env)
        await migrate(settings)
        await init_db(settings)
        try:
            await seed_reference_data()
            if demo is not None:
                await seed_demo(plan=demo)
            yield City(env, settings)
        finally:
            await close_db()


async def officers(count: int, agency_code: str = "PC08") -> list[User]:
    agency = await Agency.get(code=agency_code)
    return [
        await User.create(role=Role.OFFICER, username=f"bench-{uuid.uuid4().hex[:12]}", agency=agency)
        for _ in range(count)
    ]


async def citizens(count: int) -> list[User]:
    return [await User.create(role=Role.CITIZEN, phone=f"09{uuid.uuid4().int % 10**8:08d}") for _ in range(count)]


async def ready_photo(owner: User) -> Media:
    """A photo as an upload leaves it once checked, without its bytes: what `submitReport` attaches."""
    return await Media.create(
        owner=owner,
        status=MediaStatus.READY,
        kind=MediaKind.PHOTO,
        content_type="image/jpeg",
        declared_size_bytes=1000,
        object_key=f"bench/{uuid.uuid4()}.jpg",
    )


def red_light_report(number: int, media_id: str) -> dict[str, Any]:
    """`submitReport`'s input: a red-light report at Hoàn Kiếm, which PC08 handles, half an hour ago; each `number`
    gets its own plate, so that no report is flagged as a possible duplicate of another."""
    return {
        "categoryCode": "RED_LIGHT",
        "description": f"Vượt đèn đỏ, lần {number}",
        "occurredAt": (datetime.now(UTC) - timedelta(minutes=30)).astimezone(HANOI_TIME).isoformat(),
        "location": {"latitude": 21.0287, "longitude": 105.8524},
        "plateNumber": f"29A{10000 + number}",
        "mediaIds": [media_id],
        "channel": "ZALO",
    }


async def submit_red_light(client: httpx.AsyncClient, token: str, number: int, media_id: str) -> tuple[Any, float]:
    """Submit `red_light_report(number, media_id)` as a citizen app would: the report as answered, and the round trip
    in milliseconds. Any error ends the benchmark."""
    variables = {"input": red_light_report(number, media_id), "key": str(uuid.uuid4())}
    started = time.perf_counter()
    response = await client.post(
        "/graphql",
        json={"query": SUBMIT_REPORT, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        fail(f"submitReport failed ({response.status_code}): {body}")
    return body["data"]["submitReport"], elapsed_ms
