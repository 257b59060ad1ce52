"""Receipts and chains of custody, reached from `Report.receipt` and `Report.custody`."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models.custody import CustodyEntry
from schema.accounts.types import UserType
from schema.base.enums import CustodyKind
from schema.base.info import Info
from services.custody.chain import canonical_json
from services.custody.receipts import Receipt
from services.custody.verify import BrokenLink, Verification

# The most entries `Custody.entries` lists (the query cost table counts this many); verification walks them all.
ENTRIES_MAX = 500


@strawberry.type(
    name="EvidenceReceipt",
    description="What you sent, its hashes and when it was received, signed by the server. Verify `signature` "
    "(Ed25519) over the exact UTF-8 bytes of `document` with the public key `keyId` published at "
    "/.well-known/evidence-signing-key.",
)
class ReceiptType:
    document: str = strawberry.field(
        description="Canonical JSON (keys sorted, no spaces): reportId, reportCode, receivedAt, content (what was "
        "sent, with each original's SHA-256), contentHash (SHA-256 of the canonical content) and the hash of the "
        "custody chain's first entry. Keep it byte for byte."
    )
    signature: str = strawberry.field(description="Base64 Ed25519 signature of `document`'s UTF-8 bytes.")
    key_id: str = strawberry.field(description="The signing key's id (its RFC 7638 JWK thumbprint).")
    algorithm: str = strawberry.field(description="EdDSA (Ed25519, RFC 8032).")

    @classmethod
    def from_receipt(cls, receipt: Receipt) -> ReceiptType:
        return cls(
            document=receipt.document,
            signature=receipt.signature,
            key_id=receipt.key_id,
            algorithm=receipt.algorithm,
        )


@strawberry.type(name="CustodyEntry", description="One entry of a report's chain of custody.")
class CustodyEntryType:
    seq: int = strawberry.field(description="Its place in the report's chain, from 1.")
    kind: CustodyKind = strawberry.field(description="What happened.")
    created_at: datetime = strawberry.field(description="When.")
    hash: str = strawberry.field(description="SHA-256 (hex) of the entry's canonical JSON, previousHash included.")
    previous_hash: str = strawberry.field(description="The previous entry's hash; 64 zeros for the first.")
    detail: str = strawberry.field(
        description="What the entry records, as canonical JSON (hashes, media ids, the decision...). Never the "
        "provider's identity."
    )
    actor_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The staff member who did it; null for the system (receipt, checks).")
    async def actor(self, info: Info) -> UserType | None:
        if self.actor_id is None:
            return None
        user = await info.context.loaders.reports.user_by_id.load(self.actor_id)
        return None if user is None else UserType.from_model(user)

    @classmethod
    def from_model(cls, entry: CustodyEntry) -> CustodyEntryType:
        return cls(
            seq=entry.seq,
            kind=entry.kind,
            created_at=entry.created_at,
            hash=entry.entry_hash,
            previous_hash=entry.previous_hash,
            detail=canonical_json(entry.detail).decode(),
            actor_id=entry.actor_id,
        )


@strawberry.type(name="CustodyBrokenLink", description="The first place where a chain of custody does not hold.")
class BrokenLinkType:
    seq: int | None = strawberry.field(description="The entry's place in the chain; null for an original file.")
    kind: CustodyKind | None = strawberry.field(description="The entry's kind, when known.")
    media_id: strawberry.ID | None = strawberry.field(description="The original file that fails its hash, if any.")
    problem: str = strawberry.field(description="What is wrong, in English.")

    @classmethod
    def from_link(cls, link: BrokenLink) -> BrokenLinkType:
        media_id = None if link.media_id is None else strawberry.ID(link.media_id)
        return cls(seq=link.seq, kind=link.kind, media_id=media_id, problem=link.problem)


@strawberry.type(
    name="Custody",
    description="A report's chain of custody, verified now: every entry's hash and link re-computed and every "
    "original re-hashed from the store.",
)
class CustodyType:
    intact: bool = strawberry.field(description="True when every entry, link and original checks out.")
    first_broken_link: str | None = strawberry.field(
        description="The first broken link in words (e.g. `entry 3 (DECIDED): altered: ...`); null when intact."
    )
    broken_link: BrokenLinkType | None = strawberry.field(description="The first broken link; null when intact.")
    originals_checked: int = strawberry.field(description="How many originals were re-hashed before it stopped.")
    entries: list[CustodyEntryType] = strawberry.field(
        description=f"The entries in order (at most the first {ENTRIES_MAX})."
    )

    @classmethod
    def from_verification(cls, verification: Verification) -> CustodyType:
        broken = verification.broken
        return cls(
            intact=broken is None,
            first_broken_link=None if broken is None else broken.describe(),
            broken_link=None if broken is None else BrokenLinkType.from_link(broken),
            originals_checked=verification.originals_checked,
            entries=[CustodyEntryType.from_model(entry) for entry in verification.entries[:ENTRIES_MAX]],
        )
