"""The canonical bytes and hashes of the chain of custody: pure functions, no database, no settings.

Contract (the evidence dossier and any outside verifier rely on it, so it never changes meaning; a new form gets a
new `v`):
- `canonical_json(value)`: UTF-8 JSON with keys sorted, no spaces, non-ASCII kept as is, no NaN or infinity.
- `entry_digest(...)`: hex SHA-256 of the canonical JSON of `{"v": 1, "reportId", "seq", "kind", "actorId",
  "detail", "createdAt", "previousHash"}`; ids as lowercase hyphenated UUID strings (`actorId` null for the system),
  times as `format_time`. The database id is left out: `seq` is the entry's place in its report's chain.
- The first entry of a chain has `previousHash` = `GENESIS_HASH` (64 zeros).
- `report_content(report, originals)`: what the citizen sent (category, description, times, place, plate, channel,
  and each original file's id, SHA-256, size and type, ordered by id); `report_content_hash` its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from models.custody import CustodyEntry
from models.media import Media
from models.reports import Report

GENESIS_HASH = "0" * 64
DIGEST_VERSION = 1


def canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_time(moment: datetime) -> str:
    """UTC with microseconds, as both databases keep them: `2026-12-02T05:58:57.123456Z`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def plain(detail: Mapping[str, object]) -> dict[str, Any]:
    """The detail as the database will give it back (JSON types only), so that what is hashed at append is what a
    verifier reads; anything JSON cannot hold is refused here rather than hashed in a form it will not come back in."""
    loaded: dict[str, Any] = json.loads(canonical_json(dict(detail)))
    return loaded


def entry_digest(
    *,
    report_id: uuid.UUID,
    seq: int,
    kind: str,
    actor_id: uuid.UUID | None,
    detail: Mapping[str, object],
    created_at: datetime,
    previous_hash: str,
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "v": DIGEST_VERSION,
                "reportId": str(report_id),
                "seq": seq,
                "kind": str(kind),
                "actorId": None if actor_id is None else str(actor_id),
                "detail": dict(detail),
                "createdAt": format_time(created_at),
                "previousHash": previous_hash,
            }
        )
    )


def digest_of(entry: CustodyEntry) -> str:
    """The hash a stored entry should carry, re-computed from its columns."""
    return entry_digest(
        report_id=entry.report_id,
        seq=entry.seq,
        kind=entry.kind,
        actor_id=entry.actor_id,
        detail=entry.detail,
        created_at=entry.created_at,
        previous_hash=entry.previous_hash,
    )


def original_facts(media: Media) -> dict[str, object]:
    return {
        "mediaId": str(media.id),
        "sha256": media.sha256,
        "sizeBytes": media.size_bytes,
        "contentType": media.content_type,
    }


def report_content(report: Report, originals: Iterable[Media]) -> dict[str, object]:
    """What the citizen sent, as received; `originals` are the report's media (any order)."""
    return {
        "categoryCode": report.category_id,
        "description": report.description,
        "occurredAt": format_time(report.occurred_at),
        "location": {
            "latitude": report.latitude,
            "longitude": report.longitude,
            "address": report.address,
            "wardCode": report.ward_id,
        },
        "plateNumber": report.plate_number,
        "channel": str(report.channel),
        "originals": [original_facts(media) for media in sorted(originals, key=lambda media: str(media.id))],
    }


def report_content_hash(report: Report, originals: Iterable[Media]) -> str:
    return sha256_hex(canonical_json(report_content(report, originals)))
