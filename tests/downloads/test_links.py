"""`GET /downloads/{token}`: a signed link works for its user until it expires, streams what its producer makes, and
every refusal is JSON with a stable code."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.routes import downloads as downloads_routes
from auth.principal import Principal
from core import clock
from core.errors import Forbidden
from models.enums import Role
from services.common.zipstream import Member, stream_zip
from services.downloads import Download, DownloadSigner, Resources
from tests.helpers.factories import Caller

KIND = "test.archive"


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def archive_for_staff(params: Mapping[str, str], principal: Principal, resources: Resources) -> Download:
    """A producer like the real ones: it refuses before streaming, then streams a ZIP named in Vietnamese."""
    if principal.role is Role.CITIZEN:
        raise Forbidden("Staff only.")

    async def members() -> AsyncIterator[Member]:
        yield Member("bao-cao.txt", _chunks(f"Vượt đèn đỏ {params['code']}".encode()), clock.now())

    return Download(f"Hồ sơ {params['code']}.zip", "application/zip", stream_zip(members()))


@pytest.fixture
def producer() -> Iterator[None]:
    downloads_routes.PRODUCERS[KIND] = archive_for_staff
    yield
    del downloads_routes.PRODUCERS[KIND]


def signer(app: Any) -> DownloadSigner:
    signer: DownloadSigner = app.state.downloads
    return signer


async def test_a_link_streams_its_file_to_its_user(
    app: Any, client: httpx.AsyncClient, officer: Caller, producer: None
) -> None:
    link = signer(app).issue(KIND, {"code": "PA-2026-000001"}, officer.user.id)
    assert link.url.startswith(f"{app.state.settings.public_url}/downloads/")
    response = await client.get(_path(link.url))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "private, no-store"
    assert "filename*=UTF-8''H%E1%BB%93%20s%C6%A1%20PA-2026-000001.zip" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("bao-cao.txt").decode() == "Vượt đèn đỏ PA-2026-000001"


def _path(url: str) -> str:
    return "/downloads/" + url.split("/downloads/", 1)[1]


@pytest.mark.parametrize("damage", ["signature", "payload", "truncated", "garbage", "huge"])
async def test_an_altered_link_is_refused(
    app: Any, client: httpx.AsyncClient, officer: Caller, producer: None, damage: str
) -> None:
    token = _path(signer(app).issue(KIND, {"code": "X"}, officer.user.id).url).removeprefix("/downloads/")
    payload, signature = token.split(".")
    altered = {
        "signature": f"{payload}.{signature[:-1]}{'0' if signature[-1] != '0' else '1'}",
        "payload": f"{payload[:-2]}AA.{signature}",
        "truncated": payload,
        "garbage": "%00%ff..",
        "huge": "A" * 5000,
    }[damage]
    response = await client.get(f"/downloads/{altered}")
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_link_expires(
    app: Any, client: httpx.AsyncClient, officer: Caller, producer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = signer(app).issue(KIND, {"code": "X"}, officer.user.id)
    later = clock.now() + signer(app).ttl + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = await client.get(_path(link.url))
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "the download link has expired"


async def test_the_producer_judges_the_user_as_they_are_now(
    app: Any, client: httpx.AsyncClient, citizen: Caller, officer: Caller, producer: None
) -> None:
    refused = await client.get(_path(signer(app).issue(KIND, {"code": "X"}, citizen.user.id).url))
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    link = signer(app).issue(KIND, {"code": "X"}, officer.user.id)
    officer.user.is_active = False
    await officer.user.save(update_fields=["is_active"])
    gone = await client.get(_path(link.url))
    assert gone.status_code == 403
    assert gone.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_kind_no_producer_makes_is_not_found(app: Any, client: httpx.AsyncClient, officer: Caller) -> None:
    response = await client.get(_path(signer(app).issue("no.such.kind", {}, officer.user.id).url))
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_streamed_zip_is_whole_and_never_held_at_once() -> None:
    """Members far larger than a chunk come out in chunks of about one member chunk, and the archive reads back."""
    photo = bytes(range(256)) * 4096  # 1 MiB, stored as it is
    text = "Đinh Tiên Hoàng, vượt đèn đỏ\n".encode() * 40_000

    async def pieces(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start : start + size]

    async def members() -> AsyncIterator[Member]:
        yield Member("goc/anh.jpg", pieces(photo), clock.now(), compressed=False)
        yield Member("ghi-chu.txt", pieces(text), clock.now())

    chunks = [chunk async for chunk in stream_zip(members())]
    assert max(len(chunk) for chunk in chunks) <= 64 * 1024 + 1024
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        assert archive.read("goc/anh.jpg") == photo
        assert archive.read("ghi-chu.txt") == text
        assert archive.getinfo("goc/anh.jpg").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("ghi-chu.txt").compress_size < len(text) // 10
