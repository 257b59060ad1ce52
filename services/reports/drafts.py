"""A report as a frontend sends it (`ReportDraft`), as it is once every check passed (`CleanReport`), and the limits
every form of it shares: the submission and the draft handed over from Zalo (`services.handoff.drafts`) check
against the same numbers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.enums import Channel
from services.reports import idempotency

CLOCK_SKEW = timedelta(minutes=5)
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
ADDRESS_MAX = 300
MEDIA_MAX = 10


@dataclass(frozen=True)
class LocationDraft:
    latitude: float
    longitude: float
    address: str = ""
    ward_code: str | None = None


@dataclass(frozen=True)
class ReportDraft:
    """What a frontend sends, before any checking."""

    category_code: str
    description: str
    occurred_at: datetime
    location: LocationDraft
    channel: Channel
    plate_number: str | None = None
    media_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CleanReport:
    """A draft that passed every check it can pass without the database, normalised so that equal meanings compare
    (and hash) equal. The category is still a code: the submission reads it in its transaction."""

    category_code: str
    description: str
    occurred_at: datetime
    latitude: float
    longitude: float
    address: str
    ward_code: str
    channel: Channel
    plate_number: str | None
    media_ids: tuple[uuid.UUID, ...]

    def fingerprint(self) -> str:
        return idempotency.fingerprint(
            {
                "category": self.category_code,
                "description": self.description,
                "occurredAt": self.occurred_at.isoformat(),
                "latitude": round(self.latitude, 6),
                "longitude": round(self.longitude, 6),
                "address": self.address,
                "ward": self.ward_code,
                "channel": self.channel.value,
                "plate": self.plate_number,
                "media": [str(media_id) for media_id in self.media_ids],
            }
        )
