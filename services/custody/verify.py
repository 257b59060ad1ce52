"""The verifier: walks a report's chain of custody and re-hashes its stored originals, naming the first broken link.

Contract: `await verify_report(report, storage) -> Verification` and `verify_reports(storage, code=None)` (an async
iterator over every report, or the one with that code, in code order). `Verification.intact` is true only when:
1. the entries are numbered 1, 2, 3... without a gap (a deleted entry leaves one), the first is RECEIVED and starts
   from `GENESIS_HASH`, each holds its predecessor's hash and its own hash matches its columns (`chain.digest_of`);
2. the report and its media rows still say what the RECEIVED entry fixed (`chain.report_content`);
3. every decision of the report has its DECIDED entry (entries cut from the end of a chain leave a decision
   without one; the provider's receipt fixes the first entry, so the whole chain cannot be replaced unnoticed);
4. every original listed at receipt is in the store and its bytes, streamed, hash to the SHA-256 fixed at receipt.
Otherwise `broken` names the first failure (`BrokenLink`: the entry's seq and kind, or the media id, and what is
wrong). `storage` is anything with `size(key)` and `stream(key)` (the media store), handed in by the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.custody import CustodyEntry
from models.decisions import Decision
from models.enums import CustodyKind
from models.media import Media
from models.reports import Report
from services.custody.chain import GENESIS_HASH, canonical_json, digest_of, report_content, sha256_hex

BATCH = 200


class ObjectStore(Protocol):
    async def size(self, key: str) -> int | None: ...

    def stream(self, key: str, chunk_bytes: int = ...) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class BrokenLink:
    problem: str
    seq: int | None = None
    kind: CustodyKind | None = None
    media_id: str | None = None

    def describe(self) -> str:
        if self.media_id is not None:
            return f"original {self.media_id}: {self.problem}"
        kind = f" ({self.kind.value})" if self.kind is not None else ""
        return f"entry {self.seq}{kind}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    report_id: str
    report_code: str
    broken: BrokenLink | None
    entries: list[CustodyEntry] = field(default_factory=list)
    originals_checked: int = 0

    @property
    def intact(self) -> bool:
        return self.broken is None


async def verify_report(report: Report, storage: ObjectStore) -> Verification:
    chain = await CustodyEntry.filter(report_id=report.id).order_by("seq")
    media = await Media.filter(report_id=report.id)
    broken = _check_links(chain) or _check_content(report, media, chain[0])
    if broken is None:
        broken = await _check_decisions(report, chain)
    checked = 0
    if broken is None:
        by_id = {str(item.id): item for item in media}
        for original in chain[0].detail["content"]["originals"]:
            broken = await _check_original(storage, by_id[original["mediaId"]], original["sha256"])
            if broken is not None:
                break
            checked += 1
    return Verification(str(report.id), report.code, broken, chain, checked)


async def verify_reports(storage: ObjectStore, code: str | None = None) -> AsyncIterator[Verification]:
    """Every report (or the one with `code`), a batch of reports at a time."""
    after = ""
    while True:
        query = Report.filter(code=code) if code is not None else Report.filter(code__gt=after)
        batch = await query.order_by("code").limit(BATCH)
        for report in batch:
            yield await verify_report(report, storage)
        if code is not None or len(batch) < BATCH:
            return
        after = batch[-1].code


def _check_links(chain: list[CustodyEntry]) -> BrokenLink | None:
    if not chain or chain[0].seq != 1:
        return BrokenLink("missing: the chain has no first (RECEIVED) entry", seq=1, kind=CustodyKind.RECEIVED)
    if chain[0].kind != CustodyKind.RECEIVED:
        return BrokenLink("the first entry is not RECEIVED", seq=1, kind=chain[0].kind)
    previous_hash = GENESIS_HASH
    for expected_seq, entry in enumerate(chain, start=1):
        if entry.seq != expected_seq:
            return BrokenLink(f"missing: entry {expected_seq} is gone (the next is {entry.seq})", seq=expected_seq)
        if entry.previous_hash != previous_hash:
            return BrokenLink("its previous hash is not the hash of the entry before", entry.seq, entry.kind)
        if digest_of(entry) != entry.entry_hash:
            return BrokenLink("altered: its hash does not match its content", entry.seq, entry.kind)
        previous_hash = entry.entry_hash
    return None


def _check_content(report: Report, media: list[Media], received: CustodyEntry) -> BrokenLink | None:
    fixed: Mapping[str, Any] = received.detail.get("content") or {}
    if sha256_hex(canonical_json(fixed)) != received.detail.get("contentHash"):
        return BrokenLink("the content hash does not match the content received", 1, CustodyKind.RECEIVED)
    now = report_content(report, media)
    changed = sorted(key for key in set(fixed) | set(now) if fixed.get(key) != now.get(key))
    if changed:
        return BrokenLink(
            f"the report no longer says what was received ({', '.join(changed)} changed)", 1, CustodyKind.RECEIVED
        )
    return None


async def _check_decisions(report: Report, chain: list[CustodyEntry]) -> BrokenLink | None:
    recorded = {entry.detail.get("decisionId") for entry in chain if entry.kind == CustodyKind.DECIDED}
    for decision_id in await Decision.filter(report_id=report.id).order_by("decided_at").values_list("id", flat=True):
        if str(decision_id) not in recorded:
            return BrokenLink(
                f"missing: decision {decision_id} has no DECIDED entry (entries cut from the end?)",
                len(chain) + 1,
                CustodyKind.DECIDED,
            )
    return None


async def _check_original(storage: ObjectStore, media: Media, fixed_sha256: str) -> BrokenLink | None:
    if await storage.size(media.object_key) is None:
        return BrokenLink("missing from the store", media_id=str(media.id))
    digest = hashlib.sha256()
    async for chunk in storage.stream(media.object_key):
        digest.update(chunk)
    if digest.hexdigest() != fixed_sha256:
        return BrokenLink(
            f"altered: its SHA-256 is {digest.hexdigest()}, not {fixed_sha256} as fixed at receipt",
            media_id=str(media.id),
        )
    return None
