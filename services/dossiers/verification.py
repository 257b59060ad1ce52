"""The offline verifier of an evidence dossier: a pure function of the archive and the published public key (no
database, no settings, no network), so a court, a lawyer or the penalty office can run it anywhere.

`verify_dossier(source, public_key_pem) -> DossierCheck` checks, in order, and stops at the first problem, naming the
member it concerns:
1. the archive is a ZIP whose member names are unique, holding `manifest.json` and `manifest.sig`;
2. the Ed25519 signature in `manifest.sig` verifies over the exact bytes of `manifest.json` with the given key (an
   altered manifest is told from an altered signature by the manifest's SHA-256 the signature document names);
3. the manifest is a dossier manifest of a version this verifier knows;
4. no member is present that the manifest does not list (besides the manifest and its signature);
5. every listed file is present with the listed size and SHA-256 (each read in chunks: any size is fine);
6. the chain of custody inside the manifest holds: numbered from 1, each entry's hash re-computed from its content
   (`services.custody.chain.entry_digest`) and linked to its predecessor's, from `GENESIS_HASH`, up to `headHash`;
   the first entry is RECEIVED, its content hashes to its content hash, which is the report's; every original file
   is one the RECEIVED entry lists with the same SHA-256, every served copy hashed at receipt the one its
   DERIVATIVE_MADE entry recorded.
Steps 3 to 6 check what the server signed: they catch a signing key used on a manifest the export did not make.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from services.custody.chain import GENESIS_HASH, canonical_json, entry_digest, sha256_hex
from services.custody.signing import verify_signature
from services.dossiers.layout import (
    ENVELOPE,
    FIXED_AT_RECEIPT,
    FORMAT,
    MANIFEST,
    ORIGINAL,
    SERVED,
    SIGNATURE,
    VERSION,
    SignatureDocument,
)

# Far above any real manifest or signature document; a hostile archive cannot make the verifier read more at once.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class DossierCheck:
    """`ok`, or the first `problem` and the member (`path`) it concerns; what the dossier says of itself when its
    manifest could be read."""

    problem: str | None = None
    path: str | None = None
    report_code: str | None = None
    key_id: str | None = None
    manifest_sha256: str | None = None
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.ok:
            return (
                f"OK: dossier of report {self.report_code}, {self.files_checked} files, signed by key {self.key_id}, "
                f"manifest SHA-256 {self.manifest_sha256}"
            )
        return f"FAILED: {self.path or 'the archive'}: {self.problem}"


class Problem(Exception):
    def __init__(self, path: str | None, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def verify_dossier(source: str | Path | IO[bytes], public_key_pem: bytes) -> DossierCheck:
    """`source` is a path or a seekable binary stream of the ZIP."""
    found: dict[str, Any] = {}
    try:
        with zipfile.ZipFile(source) as archive:
            _verify(archive, public_key_pem, found)
    except zipfile.BadZipFile as exc:
        return DossierCheck(f"not a readable ZIP archive ({exc})", **found)
    except Problem as failure:
        return DossierCheck(failure.problem, failure.path, **found)
    return DossierCheck(**found)


def _verify(archive: zipfile.ZipFile, public_key_pem: bytes, found: dict[str, Any]) -> None:
    names = [info.filename for info in archive.infolist()]
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise Problem(twice[0], "present twice in the archive")
    for name in (MANIFEST, SIGNATURE):
        if name not in names:
            raise Problem(name, "missing")
    document = _read(archive, MANIFEST, MAX_MANIFEST_BYTES)
    digest = hashlib.sha256(document).hexdigest()
    found["manifest_sha256"] = digest
    _check_signature(document, digest, _read(archive, SIGNATURE, MAX_SIGNATURE_BYTES), public_key_pem, found)
    manifest = _parse(document)
    found["report_code"] = manifest["report"].get("code")
    try:
        _check_contents(archive, manifest, names, found)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Problem(MANIFEST, f"malformed: {exc!r}") from None


def _check_contents(
    archive: zipfile.ZipFile, manifest: Mapping[str, Any], names: list[str], found: dict[str, Any]
) -> None:
    listed = {str(item["path"]) for item in manifest["files"]}
    unlisted = sorted(set(names) - listed - ENVELOPE)
    if unlisted:
        raise Problem(unlisted[0], "not listed in the manifest")
    for item in manifest["files"]:
        _check_file(archive, item)
        found["files_checked"] = found.get("files_checked", 0) + 1
    _check_custody(manifest)


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    if archive.getinfo(name).file_size > limit:
        raise Problem(name, f"larger than {limit} bytes")
    try:
        return archive.read(name)
    except zipfile.BadZipFile as exc:
        raise Problem(name, f"damaged in the archive ({exc})") from None


def _check_signature(
    document: bytes, digest: str, signature_file: bytes, public_key_pem: bytes, found: dict[str, Any]
) -> None:
    try:
        signature = SignatureDocument.decode(signature_file)
    except ValueError as exc:
        raise Problem(SIGNATURE, str(exc)) from None
    found["key_id"] = signature.key_id
    valid = verify_signature(public_key_pem, document, signature.signature)
    if not valid and digest != signature.manifest_sha256:
        raise Problem(MANIFEST, f"altered: its SHA-256 is {digest}, not the signed {signature.manifest_sha256}")
    if not valid:
        raise Problem(
            SIGNATURE, f"the signature does not verify with the given public key (it names key {signature.key_id})"
        )
    if digest != signature.manifest_sha256:
        raise Problem(SIGNATURE, "altered: the manifest SHA-256 it names is not the manifest's")


def _parse(document: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(document)
        shaped = manifest["format"] == FORMAT and isinstance(manifest["files"], list)
        shaped = shaped and isinstance(manifest["report"], dict) and isinstance(manifest["custody"]["entries"], list)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        shaped = False
    if not shaped:
        raise Problem(MANIFEST, f"not a {FORMAT} manifest")
    if manifest["version"] != VERSION:
        raise Problem(MANIFEST, f"version {manifest['version']!r}; this verifier knows version {VERSION}")
    result: dict[str, Any] = manifest
    return result


def _check_file(archive: zipfile.ZipFile, item: Mapping[str, Any]) -> None:
    path = str(item["path"])
    try:
        info = archive.getinfo(path)
    except KeyError:
        raise Problem(path, "listed in the manifest but missing from the archive") from None
    if info.file_size != item["sizeBytes"]:
        raise Problem(path, f"altered: {info.file_size} bytes, the manifest says {item['sizeBytes']}")
    digest = hashlib.sha256()
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_BYTES):
                digest.update(chunk)
    except zipfile.BadZipFile as exc:
        raise Problem(path, f"damaged in the archive ({exc})") from None
    if digest.hexdigest() != item["sha256"]:
        raise Problem(path, f"altered: its SHA-256 is {digest.hexdigest()}, the manifest says {item['sha256']}")


def _check_custody(manifest: Mapping[str, Any]) -> None:
    custody = manifest["custody"]
    entries: list[Mapping[str, Any]] = custody["entries"]
    previous = GENESIS_HASH
    for seq, entry in enumerate(entries, start=1):
        where = f"custody entry {seq}"
        if entry["seq"] != seq or entry["previousHash"] != previous:
            raise Problem(MANIFEST, f"{where}: not linked to the entry before it")
        recomputed = entry_digest(
            report_id=uuid.UUID(custody["reportId"]),
            seq=seq,
            kind=entry["kind"],
            actor_id=None if entry["actorId"] is None else uuid.UUID(entry["actorId"]),
            detail=entry["detail"],
            created_at=datetime.fromisoformat(entry["createdAt"]),
            previous_hash=entry["previousHash"],
        )
        if recomputed != entry["entryHash"]:
            raise Problem(MANIFEST, f"{where}: its hash does not match its content")
        previous = entry["entryHash"]
    if custody["headHash"] != previous:
        raise Problem(MANIFEST, "the custody head hash is not the last entry's")
    _check_receipt(manifest, entries)


def _check_receipt(manifest: Mapping[str, Any], entries: list[Mapping[str, Any]]) -> None:
    """The files are the ones received: the chain's RECEIVED entry fixed the originals' hashes and the report's
    content, its DERIVATIVE_MADE entries the served copies' hashes."""
    received = entries[0] if entries else None
    if received is None or received["kind"] != "RECEIVED":
        raise Problem(MANIFEST, "the chain of custody does not start with RECEIVED")
    content, content_hash = received["detail"].get("content"), received["detail"].get("contentHash")
    if sha256_hex(canonical_json(content)) != content_hash or manifest["report"].get("contentHash") != content_hash:
        raise Problem(MANIFEST, "the report's content hash is not the hash of the content received")
    fixed = {str(original["mediaId"]): original["sha256"] for original in content.get("originals", [])}
    made = {
        str(entry["detail"].get("mediaId")): entry["detail"].get("derivativeSha256")
        for entry in entries
        if entry["kind"] == "DERIVATIVE_MADE"
    }
    for item in manifest["files"]:
        if item["role"] == ORIGINAL and fixed.get(str(item["mediaId"])) != item["sha256"]:
            raise Problem(str(item["path"]), "not an original the chain of custody received with this SHA-256")
        if (
            item["role"] == SERVED
            and item["hashFixedAt"] == FIXED_AT_RECEIPT
            and made.get(str(item["mediaId"])) != item["sha256"]
        ):
            raise Problem(str(item["path"]), "not the served copy the chain of custody recorded with this SHA-256")
