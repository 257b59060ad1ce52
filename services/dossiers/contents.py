"""What a dossier carries about a report: its evidence files, and the rows the manifest describes, read once.

Each file comes with what its receipt fixed (`Media.sha256` and `size_bytes` for an original, `derivative_sha256`
for the served copy); the export re-checks the stored bytes against them before and while it streams.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from models.agencies import Agency
from models.decisions import Decision
from models.enums import Role
from models.events import ReportEvent
from models.media import Media
from models.reports import Report
from models.users import User
from services.dossiers.layout import ORIGINAL, SERVED
from services.media.access import served_keys

# File name endings of the originals, by the type sniffed at upload.
SUFFIXES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}


@dataclass(frozen=True)
class EvidenceFile:
    """A stored object the dossier carries, and what its receipt fixed about it (None: nothing was fixed)."""

    path: str
    key: str
    role: str
    media_id: uuid.UUID | None
    content_type: str
    sha256: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class PackedFile:
    """A file as the manifest lists it, after the export checked the stored bytes against it."""

    file: EvidenceFile
    sha256: str
    size_bytes: int
    fixed_at: str


@dataclass(frozen=True)
class Record:
    """Everything the manifest tells about a report, read once before the archive starts."""

    report: Report
    agency: Agency
    media: list[Media]
    decisions: list[Decision]
    events: list[ReportEvent]
    staff: dict[uuid.UUID, User]


async def read_record(report: Report) -> Record:
    media = await Media.filter(report_id=report.id).order_by("id")
    decisions = await Decision.filter(report_id=report.id).order_by("decided_at", "id")
    events = await ReportEvent.filter(report_id=report.id).order_by("at", "id")
    actors = {event.actor_id for event in events} | {decision.decided_by_id for decision in decisions}
    staff = await User.filter(id__in=[a for a in actors if a is not None]).exclude(role=Role.CITIZEN)
    agency = await Agency.get(id=report.agency_id)
    return Record(report, agency, list(media), list(decisions), list(events), {user.id: user for user in staff})


def evidence_files(media: Sequence[Media]) -> list[EvidenceFile]:
    """Each original (stored as received), then the copy that was served of it (its metadata removed)."""
    files: list[EvidenceFile] = []
    for item in media:
        suffix = SUFFIXES.get(item.content_type, ".bin")
        files.append(
            EvidenceFile(
                f"originals/{item.id}{suffix}",
                item.object_key,
                ORIGINAL,
                item.id,
                item.content_type,
                item.sha256,
                item.size_bytes,
            )
        )
        served = served_keys(item)
        if served.url_key is not None:
            name = PurePosixPath(served.url_key).name
            files.append(
                EvidenceFile(
                    f"served/{item.id}/{name}",
                    served.url_key,
                    SERVED,
                    item.id,
                    served.url_type,
                    item.derivative_sha256,
                    None,
                )
            )
    return files
