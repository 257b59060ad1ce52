"""Evidence dossiers as a console and a court handle them: the export mutation, the download, the published key,
and archives altered the ways a forger would (a member's bytes changed and the archive rebuilt around them)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx

from core import clock
from models.custody import CustodyEntry
from models.enums import MediaKind
from models.reports import Report
from models.users import User
from services.custody import log as custody_log
from services.media.storage import Storage
from tests.helpers.factories import Caller, make_media, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.media_calls import complete, create_upload, post_form
from tests.helpers.media_files import sha256

EXPORT = "mutation($id: ID!) { exportEvidenceDossier(reportId: $id) { url expiresAt } }"
CUSTODY = """
query($id: ID!) { report(id: $id) { custody { intact firstBrokenLink entries { seq kind detail actor { id } } } } }
"""
KEY_PATH = "/.well-known/evidence-signing-key"


async def uploaded(client: httpx.AsyncClient, caller: Caller, data: bytes, content_type: str, name: str) -> str:
    """Upload as a frontend does (reserve, POST the form, complete); the media id, checked READY."""
    form = only_data(await create_upload(client, caller.token, content_type, len(data), sha256(data)))
    upload = form["createMediaUpload"]
    await post_form(client, upload, data, name)
    media = only_data(await complete(client, caller.token, upload["media"]["id"]))["completeMediaUpload"]
    assert media["status"] == "READY", media
    media_id: str = media["id"]
    return media_id


async def export_link(client: httpx.AsyncClient, caller: Caller, report_id: str) -> str:
    url: str = only_data(await gql(client, EXPORT, {"id": report_id}, caller.token))["exportEvidenceDossier"]["url"]
    return url


def path_of(url: str) -> str:
    return "/downloads/" + url.split("/downloads/", 1)[1]


async def exported(client: httpx.AsyncClient, caller: Caller, report_id: str) -> bytes:
    response = await client.get(path_of(await export_link(client, caller, report_id)))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


async def published_key(client: httpx.AsyncClient) -> bytes:
    """The public key exactly as anyone fetches it: the well-known URL, no token."""
    response = await client.get(KEY_PATH)
    assert response.status_code == 200, response.text
    return str(response.json()["publicKeyPem"]).encode()


async def custody_of(client: httpx.AsyncClient, caller: Caller, report_id: str) -> dict[str, Any]:
    report = only_data(await gql(client, CUSTODY, {"id": report_id}, caller.token))["report"]
    custody: dict[str, Any] = report["custody"]
    return custody


def rebuilt(archive_bytes: bytes, *, alter: str | None = None, add: tuple[str, bytes] | None = None) -> bytes:
    """The archive written again member by member (sizes and CRCs consistent), with one byte of `alter` flipped in
    the middle of its content and `add` appended: what a deliberate forger produces, not transport damage."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == alter:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
            target.writestr(info, data, compress_type=info.compress_type)
        if add is not None:
            target.writestr(add[0], add[1])
    return out.getvalue()


def damaged(archive_bytes: bytes, member: str) -> bytes:
    """One byte flipped inside a stored member's data in the archive itself (transport or disk damage)."""
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        info = archive.getinfo(member)
        assert info.compress_type == zipfile.ZIP_STORED
        header = info.header_offset
    name_length = int.from_bytes(archive_bytes[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(archive_bytes[header + 28 : header + 30], "little")
    at = header + 30 + name_length + extra_length + info.file_size // 2
    return archive_bytes[:at] + bytes([archive_bytes[at] ^ 0x01]) + archive_bytes[at + 1 :]


async def stored_report(
    storage: Storage, reporter: User, original: bytes, served: bytes, agency_code: str = "PC08"
) -> Report:
    """A report with one video in the store and its chain of custody opened, written directly rather than uploaded:
    for tests about who may export, and about sizes the upload limits would refuse."""
    report = await make_report(reporter, agency_code)
    media = await make_media(
        reporter,
        kind=MediaKind.VIDEO,
        report_id=report.id,
        size_bytes=len(original),
        sha256=sha256(original),
        derivative_sha256=sha256(served),
        checked_at=clock.now(),
    )
    media.derivative_key = f"media/{media.id}/display.mp4"
    await media.save(update_fields=["derivative_key"])
    await storage.put(media.object_key, original, media.content_type)
    await storage.put(media.derivative_key, served, media.content_type)
    await CustodyEntry.bulk_create(custody_log.opening(report, [media], at=clock.now()))
    return report
