"""What the verifier checks beyond the signature: a manifest signed with the right key but not made by the export (a
chain of custody altered or cut, an original or a served copy that the chain never received) still fails, naming it.
Such manifests are made here by re-signing with the server's key, as a misused key would."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from auth.principal import Principal
from services.dossiers.export import produce
from services.dossiers.layout import SignatureDocument, encode_manifest
from services.dossiers.verification import verify_dossier
from services.downloads import Resources
from tests.helpers.dossiers import KEY_PATH, stored_report
from tests.helpers.factories import Caller


def _alter_entry(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
    manifest["custody"]["entries"][1]["detail"]["sha256"] = "0" * 64


def _cut_entry(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
    del manifest["custody"]["entries"][1]


def _swap(role: str) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    """The file of `role` replaced, and the manifest listing the replacement's size and hash."""

    def swap(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        listed = next(item for item in manifest["files"] if item["role"] == role)
        members[listed["path"]] = b"another video"
        listed.update(sizeBytes=len(b"another video"), sha256=hashlib.sha256(b"another video").hexdigest())

    return swap


def _other_content(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
    manifest["report"]["contentHash"] = "1" * 64


Forgery = tuple[Callable[[dict[str, Any], dict[str, bytes]], None], str, str]
FORGERIES: dict[str, Forgery] = {
    "entry altered": (_alter_entry, "manifest.json", "custody entry 2: its hash does not match its content"),
    "entry cut": (_cut_entry, "manifest.json", "custody entry 2: not linked to the entry before it"),
    "original not received": (_swap("original"), "originals/", "not an original the chain of custody received"),
    "served copy not made": (_swap("served"), "served/", "not the served copy the chain of custody recorded"),
    "content hash": (_other_content, "manifest.json", "the report's content hash is not the hash of the content"),
}


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
async def test_a_manifest_the_export_did_not_make_fails(
    app: Any, citizen: Caller, officer: Caller, forgery: Forgery
) -> None:
    change, path, problem = forgery
    signer = app.state.evidence_signer
    report = await stored_report(app.state.storage, citizen.user, b"original", b"served")
    download = await produce(
        {"reportId": str(report.id)},
        Principal.of(officer.user),
        Resources(app.state.storage, signer, f"http://testserver{KEY_PATH}"),
    )
    archive_bytes = b"".join([chunk async for chunk in download.chunks])
    assert verify_dossier(io.BytesIO(archive_bytes), signer.public_key_pem()).ok

    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest, members)
    document = encode_manifest(manifest)
    digest = hashlib.sha256(document).hexdigest()
    members["manifest.json"] = document
    members["manifest.sig"] = SignatureDocument(signer.algorithm, signer.key_id, digest, signer.sign(document)).encode()
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    check = verify_dossier(io.BytesIO(forged.getvalue()), signer.public_key_pem())
    assert str(check.path).startswith(path), check.describe()
    assert problem in str(check.problem), check.describe()
