"""Async factories for test data, built through the models the services use."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import connections

from auth.principal import Principal
from auth.tokens import TokenCodec
from models.agencies import Agency
from models.enums import Channel, MediaKind, MediaStatus, Role
from models.media import Media
from models.reports import Report
from models.users import User
from services.statistics import rollup

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Caller:
    """A signed-in user as a frontend holds it: the account and a valid access token."""

    user: User
    token: str


async def make_user(role: Role, agency_code: str | None = None, **fields: object) -> User:
    agency = await Agency.get(code=agency_code) if agency_code else None
    n = next(_numbers)
    defaults: dict[str, object] = {"full_name": f"Test {role.value.lower()} {n}"}
    if role is not Role.CITIZEN:
        defaults["username"] = f"{role.value.lower()}-{n}"
    return await User.create(role=role, agency=agency, **{**defaults, **fields})


def token_for(codec: TokenCodec, user: User) -> str:
    principal = Principal.of(user)
    return codec.issue(principal).token


async def make_caller(codec: TokenCodec, role: Role, agency_code: str | None = None, **fields: object) -> Caller:
    user = await make_user(role, agency_code, **fields)
    return Caller(user=user, token=token_for(codec, user))


async def make_media(
    owner: User, *, status: MediaStatus = MediaStatus.READY, kind: MediaKind = MediaKind.PHOTO, **fields: object
) -> Media:
    """A media row as the upload flow leaves it; READY means checked and usable by its owner's next report."""
    n = next(_numbers)
    return await Media.create(
        owner=owner,
        status=status,
        kind=kind,
        content_type="image/jpeg" if kind is MediaKind.PHOTO else "video/mp4",
        declared_size_bytes=1000 + n,
        object_key=f"test/{owner.id}/{n}.jpg",
        **fields,
    )


async def make_report(reporter: User, agency_code: str = "PC08", **fields: object) -> Report:
    """A routed report written directly, for tests about reading and deciding rather than submitting."""
    n = next(_numbers)
    now = datetime.now(UTC)
    agency = await Agency.get(code=agency_code)
    values: dict[str, object] = {
        "code": f"PA-1999-{n:06d}",
        "category_id": "RED_LIGHT",
        "description": f"Test report {n}",
        "occurred_at": now - timedelta(hours=1),
        "submitted_at": now,
        "latitude": 21.0287,
        "longitude": 105.8524,
        "ward_id": "00070",
        "plate_number": "29A-123.45",
        "channel": Channel.ZALO,
        "due_at": now + timedelta(hours=120),
    }
    report = await Report.create(reporter=reporter, agency=agency, **{**values, **fields})
    await rollup.apply(connections.get("default"), None, rollup.Facts.of_report(report))
    return report
