"""The signed receipt a provider gets for a report: what they sent, its hashes, and when it was received.

Contract: `receipt_document(report_id, received)` is the canonical JSON (`chain.canonical_json`) of
`{"type": "phananh.evidence-receipt", "version": 1, "reportId", "reportCode", "receivedAt", "content",
"contentHash", "custody": {"seq": 1, "entryHash"}}`, built from the report's RECEIVED entry alone. The receipt is
therefore re-produced identically whenever it is asked for (and Ed25519 signatures are deterministic), with nothing
stored beside the chain: the entry's hash in the document ties every receipt handed out to the chain, so a chain
altered later no longer matches the receipts its provider holds. `signature` is the base64 Ed25519 signature of the
document's exact UTF-8 bytes by the key `keyId` published at `/.well-known/evidence-signing-key`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from auth.principal import Principal
from core.errors import NotFound
from models.custody import CustodyEntry
from models.enums import CustodyKind
from models.reports import Report
from services.common import policies
from services.custody.chain import canonical_json, format_time
from services.custody.signing import EvidenceSigner

RECEIPT_TYPE = "phananh.evidence-receipt"


@dataclass(frozen=True)
class Receipt:
    document: str
    signature: str
    key_id: str
    algorithm: str


def receipt_document(report_id: uuid.UUID, received: CustodyEntry) -> bytes:
    detail = received.detail
    return canonical_json(
        {
            "type": RECEIPT_TYPE,
            "version": 1,
            "reportId": str(report_id),
            "reportCode": detail.get("reportCode"),
            "receivedAt": format_time(received.created_at),
            "content": detail.get("content"),
            "contentHash": detail.get("contentHash"),
            "custody": {"seq": received.seq, "entryHash": received.entry_hash},
        }
    )


def may_see_receipt(principal: Principal, reporter_id: uuid.UUID, agency_id: uuid.UUID) -> bool:
    """Its author, the staff of the agency handling it, and admins: whoever may see the report itself."""
    if policies.is_admin(principal) or principal.user_id == reporter_id:
        return True
    return policies.is_staff(principal) and principal.agency_id == agency_id


async def received_entries(report_ids: Sequence[uuid.UUID]) -> list[CustodyEntry | None]:
    """The RECEIVED entry of each report, in key order (None for reports received before receipts), in one query:
    the batch behind `Report.receipt` on a page of reports."""
    found = {
        entry.report_id: entry
        for entry in await CustodyEntry.filter(report_id__in=set(report_ids), seq=1, kind=CustodyKind.RECEIVED)
    }
    return [found.get(report_id) for report_id in report_ids]


def signed_receipt(report_id: uuid.UUID, received: CustodyEntry, signer: EvidenceSigner) -> Receipt:
    document = receipt_document(report_id, received)
    return Receipt(
        document=document.decode(),
        signature=base64.b64encode(signer.sign(document)).decode(),
        key_id=signer.key_id,
        algorithm=signer.algorithm,
    )


async def receipt_for(principal: Principal, report_id: uuid.UUID, signer: EvidenceSigner) -> Receipt | None:
    """One report's receipt. A report hidden from the caller behaves as if it did not exist (NOT_FOUND), as
    everywhere else; a report received before the chain of custody existed has none (None)."""
    report = await Report.get_or_none(id=report_id)
    if report is None or not may_see_receipt(principal, report.reporter_id, report.agency_id):
        raise NotFound("There is no such report.", field="reportId")
    (received,) = await received_entries([report_id])
    return None if received is None else signed_receipt(report_id, received, signer)
