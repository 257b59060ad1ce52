"""The dossier is streamed: memory stays bounded whatever the video's size, a file changed between the check and its
streaming cuts the archive short (never a dossier with a wrong file), and `phananh dossier verify` checks the result
from a shell with a key file or the key fetched from a server's well-known URL."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auth.principal import Principal
from models.media import Media
from services.custody.signing import EvidenceSigner
from services.dossiers.export import EvidenceChanged, produce
from services.dossiers.verification import verify_dossier
from services.downloads import Resources
from services.media.storage.base import STREAM_CHUNK_BYTES
from tests.helpers.dossiers import KEY_PATH, stored_report
from tests.helpers.environment import TEST_EVIDENCE_SIGNING_KEY
from tests.helpers.factories import Caller
from tests.helpers.servers import run, server_env

MIB = 1024 * 1024
VIDEO_BYTES = 12 * MIB
# A chunk read, its copy into the archive, the chunk handed on, and the rest of the process's churn: about 3 MiB
# measured, whatever the files' size (two of 12 MiB here).
MEMORY_BOUND = 5 * MIB


async def test_memory_stays_bounded_whatever_the_video_size(
    app: Any, citizen: Caller, officer: Caller, tmp_path: Path
) -> None:
    report = await stored_report(app.state.storage, citizen.user, os.urandom(VIDEO_BYTES), os.urandom(VIDEO_BYTES))
    resources = Resources(app.state.storage, app.state.evidence_signer, f"http://testserver{KEY_PATH}")
    path, sizes = tmp_path / "dossier.zip", []
    tracemalloc.start()
    try:
        download = await produce({"reportId": str(report.id)}, Principal.of(officer.user), resources)
        with path.open("wb") as out:
            async for chunk in download.chunks:
                sizes.append(len(chunk))
                out.write(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size > 2 * VIDEO_BYTES
    assert max(sizes) <= STREAM_CHUNK_BYTES + 64 * 1024
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.1f} MiB for two files of {VIDEO_BYTES / MIB:.0f} MiB"
    check = verify_dossier(path, app.state.evidence_signer.public_key_pem())
    assert check.ok, check.describe()


async def drain(chunks: AsyncIterator[bytes], into: bytearray) -> None:
    async for chunk in chunks:
        into += chunk


async def test_a_file_changed_while_streaming_cuts_the_archive_short(
    app: Any, citizen: Caller, officer: Caller
) -> None:
    original = os.urandom(3 * MIB)
    report = await stored_report(app.state.storage, citizen.user, original, b"served")
    resources = Resources(app.state.storage, app.state.evidence_signer, f"http://testserver{KEY_PATH}")
    download = await produce({"reportId": str(report.id)}, Principal.of(officer.user), resources)
    media = await Media.get(report_id=report.id)
    await app.state.storage.put(media.object_key, original[:-1] + b"\x00", media.content_type)

    received = bytearray()
    with pytest.raises(EvidenceChanged, match=f"originals/{media.id}.mp4"):
        await drain(download.chunks, received)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(bytes(received)))


async def test_the_verify_command(app: Any, citizen: Caller, officer: Caller, tmp_path: Path, run_server: Any) -> None:
    signer = EvidenceSigner.from_pem(TEST_EVIDENCE_SIGNING_KEY.encode())
    report = await stored_report(app.state.storage, citizen.user, b"original bytes", b"served bytes")
    download = await produce(
        {"reportId": str(report.id)},
        Principal.of(officer.user),
        Resources(app.state.storage, signer, f"http://testserver{KEY_PATH}"),
    )
    dossier, key = tmp_path / "ho-so.zip", tmp_path / "key.pem"
    dossier.write_bytes(b"".join([chunk async for chunk in download.chunks]))
    key.write_bytes(signer.public_key_pem())
    env = server_env({})

    done = run(["phananh", "dossier", "verify", str(dossier), "--public-key", str(key)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"OK: dossier of report {report.code}, 3 files, signed by key {signer.key_id}")

    server = run_server({"EVIDENCE_SIGNING_KEY": TEST_EVIDENCE_SIGNING_KEY}, migrate=False)
    fetched = run(["phananh", "dossier", "verify", str(dossier), "--public-key-url", f"{server.url}{KEY_PATH}"], env)
    assert fetched.returncode == 0, fetched.stderr

    with zipfile.ZipFile(dossier) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(dossier, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data.replace(b"original bytes", b"original bytez"))
    altered = run(["phananh", "dossier", "verify", str(dossier), "--public-key", str(key)], env)
    assert altered.returncode == 1
    assert altered.stdout.startswith("FAILED: originals/")
