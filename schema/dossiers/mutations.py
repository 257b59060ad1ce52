"""`exportEvidenceDossier`: the link to a report's evidence dossier. Issuing it only checks who asks; the dossier is
made, checked, signed and recorded in the chain of custody when the link is followed (`services.dossiers.export`)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.base import bounds
from schema.base.downloads import DownloadType, download_link
from schema.base.info import Info
from schema.base.permissions import IsStaff, require_principal
from services.dossiers import export as dossiers


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsStaff],
        description=(
            "Agency consoles (OFFICER and AGENCY_ADMIN of the agency handling the report, ADMIN): a link to the "
            "report's evidence dossier for the penalty file, a ZIP with the originals as received, the copies "
            "served, `manifest.json` (hashes, EXIF/GPS facts, timeline, decisions, chain of custody) and "
            "`manifest.sig` (the server's Ed25519 signature, key at `/.well-known/evidence-signing-key`). Following "
            "the link records the export in the chain of custody; it answers 409 CONFLICT, with nothing exported, "
            "when a stored file or the chain no longer matches what was received. FORBIDDEN for citizens; "
            "NOT_FOUND for a report of another agency."
        ),
    )
    async def export_evidence_dossier(
        self,
        info: Info,
        report_id: Annotated[strawberry.ID, bounds.argument("The report.", bounds.ID)],
    ) -> DownloadType:
        report = await dossiers.exportable_report(require_principal(info), report_id)
        return download_link(info, dossiers.KIND, {"reportId": str(report.id)})
