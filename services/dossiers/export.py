"""Exporting a report's evidence dossier: who may, the checks before a byte is sent, and the streamed archive.

Who: the staff of the agency handling the report (officers and agency admins alike: the officer handling a case is
the one who compiles the penalty file) and city admins; citizens never (FORBIDDEN), other agencies' staff do not see
the report (NOT_FOUND). Every export is recorded in the chain of custody, so it needs no narrower rule.

A stored file that no longer matches its receipt hash is never shipped: the export refuses before streaming
(`Conflict`, naming the file) after checking, in order, the chain of custody and the originals
(`services.custody.verify.verify_report`: chain links, the report against what was received, decisions against
their entries, every original re-hashed) and every served copy re-hashed. While the archive streams, each file is
hashed again; one changed in between stops the stream before the archive's central directory, so the download is
no readable ZIP rather than a dossier with a wrong file in it.

The EXPORTED entry is appended when the download starts (the producer runs when the link is followed, not when it
is issued), with the manifest's SHA-256. The dossier cannot contain its own entry (that entry holds the hash of the
manifest that would list it), so the manifest carries the chain as it stood before the export and its head hash;
the EXPORTED entry follows that head, and the next export, or `custody verify`, shows it.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime

from auth.principal import Principal
from core import clock
from core.errors import Conflict
from models.custody import CustodyEntry
from models.enums import CustodyKind
from models.reports import Report
from models.users import User
from services.common import policies
from services.common.zipstream import Member, stream_zip
from services.custody import log as custody_log
from services.custody.verify import verify_report
from services.dossiers.contents import EvidenceFile, PackedFile, Record, evidence_files, read_record
from services.dossiers.layout import (
    FIXED_AT_RECEIPT,
    GUIDE,
    MANIFEST,
    MEASURED_AT_EXPORT,
    ORIGINAL,
    README,
    SIGNATURE,
    SignatureDocument,
    encode_manifest,
)
from services.dossiers.manifest import Export, manifest
from services.dossiers.readme import readme_text
from services.downloads import Download, Resources
from services.media.storage import Storage
from services.reports.scope import get_visible

KIND = "evidence.dossier"


class EvidenceChanged(Exception):
    """A file changed in the store between the check and its streaming: the archive is cut short on purpose."""


async def exportable_report(principal: Principal, report_id: str) -> Report:
    policies.require(policies.is_staff(principal), "Only staff export evidence dossiers.")
    return await get_visible(principal, report_id)


async def produce(params: Mapping[str, str], principal: Principal, resources: Resources) -> Download:
    """The producer of `KIND` downloads (`services.downloads`): refused before a byte goes out when the evidence no
    longer holds, then sealed with the server's key and recorded as an export when the download starts."""
    storage, signer = resources.storage, resources.signer
    report = await exportable_report(principal, params.get("reportId", ""))
    verification = await verify_report(report, storage)
    if verification.broken is not None:
        raise Conflict(
            f"The evidence of {report.code} does not hold ({verification.broken.describe()}); nothing was "
            f"exported. `phananh custody verify --report {report.code}` shows the chain."
        )
    record = await read_record(report)
    files = [await _checked(storage, file) for file in evidence_files(record.media)]
    at = clock.now()
    readme, document, signature = await _seal(record, verification.entries, files, principal, at, resources)
    await custody_log.append(
        report.id,
        CustodyKind.EXPORTED,
        actor_id=principal.user_id,
        detail={
            "manifestSha256": hashlib.sha256(document).hexdigest(),
            "keyId": signer.key_id,
            "files": len(files),
            "custodyHeadHash": verification.entries[-1].entry_hash,
        },
        at=at,
    )
    members = _members(storage, files, readme, document, signature, at)
    return Download(f"Hồ sơ chứng cứ {report.code}.zip", "application/zip", stream_zip(members))


async def _seal(
    record: Record,
    custody: Sequence[CustodyEntry],
    files: Sequence[PackedFile],
    principal: Principal,
    at: datetime,
    resources: Resources,
) -> tuple[bytes, bytes, bytes]:
    """The README, the manifest (which lists the README too) and the signature document over the manifest."""
    signer, key_url = resources.signer, resources.key_url
    readme = readme_text(record.report.code, signer.key_id, key_url)
    guide = PackedFile(
        EvidenceFile(README, "", GUIDE, None, "text/plain; charset=utf-8", None, None),
        hashlib.sha256(readme).hexdigest(),
        len(readme),
        MEASURED_AT_EXPORT,
    )
    exporter = await User.get(id=principal.user_id)
    export = Export(exporter, at, signer.key_id, signer.algorithm, key_url)
    document = encode_manifest(manifest(record, custody, files, guide, export))
    digest = hashlib.sha256(document).hexdigest()
    signature = SignatureDocument(signer.algorithm, signer.key_id, digest, signer.sign(document))
    return readme, document, signature.encode()


async def _checked(storage: Storage, file: EvidenceFile) -> PackedFile:
    """An original was just re-hashed by the custody verifier: its size is read, its hash is the receipt's. A served
    copy is re-hashed here against the hash fixed when it was made (measured now if none was kept)."""
    size = await storage.size(file.key)
    if size is None:
        raise Conflict(f"{file.path} is missing from the store; nothing was exported.")
    if file.role == ORIGINAL and file.sha256 is not None:
        if size != file.size_bytes:
            raise Conflict(f"{file.path} is {size} bytes, not {file.size_bytes} as received; nothing was exported.")
        return PackedFile(file, file.sha256, size, FIXED_AT_RECEIPT)
    digest = hashlib.sha256()
    async for chunk in storage.stream(file.key):
        digest.update(chunk)
    if file.sha256 is None:
        return PackedFile(file, digest.hexdigest(), size, MEASURED_AT_EXPORT)
    if digest.hexdigest() != file.sha256:
        raise Conflict(
            f"{file.path} no longer matches the SHA-256 fixed when it was made ({file.sha256}); nothing was exported."
        )
    return PackedFile(file, file.sha256, size, FIXED_AT_RECEIPT)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _rechecked(storage: Storage, packed: PackedFile) -> AsyncIterator[bytes]:
    digest, size = hashlib.sha256(), 0
    async for chunk in storage.stream(packed.file.key):
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    if digest.hexdigest() != packed.sha256 or size != packed.size_bytes:
        raise EvidenceChanged(f"{packed.file.path} changed in the store while it was being exported")


async def _members(
    storage: Storage, files: Sequence[PackedFile], readme: bytes, document: bytes, signature: bytes, at: datetime
) -> AsyncIterator[Member]:
    """The guide and the manifest first (deflated), then the evidence as stored (photos and videos are compressed
    already, and stored members keep their bytes recognisable in the archive)."""
    modified = at.astimezone(clock.HANOI_TIME)
    yield Member(README, _once(readme), modified)
    yield Member(MANIFEST, _once(document), modified)
    yield Member(SIGNATURE, _once(signature), modified)
    for packed in files:
        yield Member(packed.file.path, _rechecked(storage, packed), modified, compressed=False)
