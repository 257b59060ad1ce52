"""The manifest: what a dossier says about a report, written before any file is sent (the archive is streamed), so
each file's SHA-256 is the one fixed at receipt, re-checked by the export.

The provider's identity is never written: the timeline and decisions name staff by id, username and role, the
provider only as `PROVIDER` (Decree 61/2026 keeps the provider confidential; the chain of custody never holds it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.custody import CustodyEntry
from models.decisions import Decision
from models.media import Media
from models.users import User
from services.custody.chain import GENESIS_HASH, format_time
from services.dossiers.contents import PackedFile, Record
from services.dossiers.layout import FORMAT, GUIDE, MANIFEST, ORIGINAL, README, SERVED, SIGNATURE, VERSION


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


def _person(record: Record, user_id: uuid.UUID | None) -> dict[str, object]:
    if user_id is None:
        return {"role": "SYSTEM"}
    user = record.staff.get(user_id)
    if user is None:
        return {"role": "PROVIDER"}
    return {"id": str(user.id), "username": user.username, "role": user.role.value}


def _report(record: Record, received: CustodyEntry | None) -> dict[str, object]:
    report = record.report
    extension = None
    if report.verification_extended_at is not None:
        extension = {
            "at": _time(report.verification_extended_at),
            "reason": report.verification_extension_reason,
            "by": _person(record, report.verification_extended_by_id),
        }
    detail = received.detail if received is not None else {}
    return {
        "id": str(report.id),
        "code": report.code,
        "status": report.status.value,
        "categoryCode": report.category_id,
        "agency": {"id": str(record.agency.id), "code": record.agency.code, "name": record.agency.name},
        "occurredAt": _time(report.occurred_at),
        "submittedAt": _time(report.submitted_at),
        "acceptedAt": _time(report.accepted_at),
        "verificationDueAt": _time(report.verification_due_at),
        "verificationExtension": extension,
        "closedAt": _time(report.closed_at),
        "fineAmountVnd": report.fine_amount_vnd,
        "vehicleImpounded": report.vehicle_impounded,
        # What the provider sent is the RECEIVED entry's `detail.content` (custody.entries[0]), which this hashes.
        "contentHash": detail.get("contentHash"),
    }


def _media_facts(item: Media, files: Sequence[PackedFile]) -> dict[str, object]:
    """What the upload check read from the file (EXIF or the video's boxes) before it removed it from the copies."""
    gps = None
    if item.gps_latitude is not None and item.gps_longitude is not None:
        gps = {"latitude": item.gps_latitude, "longitude": item.gps_longitude}
    return {
        "mediaId": str(item.id),
        "kind": item.kind.value,
        "contentType": item.content_type,
        "sizeBytes": item.size_bytes,
        "sha256": item.sha256,
        "width": item.width,
        "height": item.height,
        "capturedAt": _time(item.captured_at),
        "gps": gps,
        "uploadedAt": _time(item.created_at),
        "checkedAt": _time(item.checked_at),
        "files": [packed.file.path for packed in files if packed.file.media_id == item.id],
    }


def _file(packed: PackedFile) -> dict[str, object]:
    return {
        "path": packed.file.path,
        "role": packed.file.role,
        "mediaId": None if packed.file.media_id is None else str(packed.file.media_id),
        "contentType": packed.file.content_type,
        "sizeBytes": packed.size_bytes,
        "sha256": packed.sha256,
        "hashFixedAt": packed.fixed_at,
    }


def _entry(entry: CustodyEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "kind": str(entry.kind),
        "actorId": None if entry.actor_id is None else str(entry.actor_id),
        "detail": entry.detail,
        "createdAt": format_time(entry.created_at),
        "previousHash": entry.previous_hash,
        "entryHash": entry.entry_hash,
    }


def _decision(record: Record, decision: Decision) -> dict[str, object]:
    return {
        "id": str(decision.id),
        "outcome": decision.outcome.value,
        "decidedAt": _time(decision.decided_at),
        "decidedBy": _person(record, decision.decided_by_id),
        "legalBasis": decision.legal_basis,
        "fineAmountVnd": decision.fine_amount_vnd,
        "vehicleImpounded": decision.vehicle_impounded,
        "note": decision.note,
        "responseToCitizen": decision.response_to_citizen,
    }


@dataclass(frozen=True)
class Export:
    """Who exports, when, and with which key (published at `key_url`)."""

    by: User
    at: datetime
    key_id: str
    algorithm: str
    key_url: str


def manifest(
    record: Record, custody: Sequence[CustodyEntry], files: Sequence[PackedFile], readme: PackedFile, export: Export
) -> dict[str, Any]:
    """The manifest document; `custody` is the verified chain as it stood before this export's own entry."""
    received = custody[0] if custody else None
    agency = record.agency.code if record.agency.id == export.by.agency_id else None
    return {
        "format": FORMAT,
        "version": VERSION,
        "report": _report(record, received),
        "files": [_file(packed) for packed in (*files, readme)],
        "media": [_media_facts(item, files) for item in record.media],
        "timeline": [
            {
                "kind": event.kind.value,
                "at": _time(event.at),
                "actor": _person(record, event.actor_id),
                "data": event.data,
            }
            for event in record.events
        ],
        "decisions": [_decision(record, decision) for decision in record.decisions],
        "custody": {
            "reportId": str(record.report.id),
            "entries": [_entry(entry) for entry in custody],
            "headHash": custody[-1].entry_hash if custody else GENESIS_HASH,
            "thisExport": "recorded after these entries as EXPORTED, its detail holding the SHA-256 of this file",
        },
        "export": {
            "at": format_time(export.at),
            "by": {
                "id": str(export.by.id),
                "username": export.by.username,
                "role": export.by.role.value,
                "agencyCode": agency,
            },
            "keyId": export.key_id,
            "algorithm": export.algorithm,
            "publicKeyUrl": export.key_url,
            "signatureFile": SIGNATURE,
            "readme": README,
            "unlisted": sorted({MANIFEST, SIGNATURE}),
        },
        "fileRoles": {ORIGINAL: "as received", SERVED: "as served to staff, metadata removed", GUIDE: "how to verify"},
    }
