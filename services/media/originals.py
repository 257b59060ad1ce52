"""Staff obtaining an original at full resolution, with its metadata: the file a penalty rests on, not the served
derivative. Every time a URL is handed out, who took it is written into the report's chain of custody
(VIEWED_ORIGINAL) before the URL is returned, so no original leaves the store unrecorded.

Only the staff of the agency handling the report and admins obtain originals (FORBIDDEN for others who may see the
media, its owner included: they sent it); media the caller may not see at all, or not yet part of a report, are
NOT_FOUND.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from auth.principal import Principal
from core import clock
from core.errors import NotFound
from core.ids import parse_uuid
from models.enums import CustodyKind, MediaStatus
from models.media import Media
from models.reports import Report
from services.common import policies
from services.custody import log as custody_log
from services.media.access import visible_media_q
from services.media.rules import MediaRules
from services.media.storage import Storage


@dataclass(frozen=True)
class OriginalUrl:
    media: Media
    url: str
    expires_at: datetime


async def original_url(principal: Principal, storage: Storage, rules: MediaRules, media_id: str) -> OriginalUrl:
    parsed = parse_uuid(media_id)
    media = None if parsed is None else await Media.filter(visible_media_q(principal), id=parsed).first()
    if media is None or media.report_id is None or media.status is not MediaStatus.READY:
        raise NotFound("There is no such media item in a report.", field="mediaId")
    report = await Report.get(id=media.report_id)
    policies.require(
        policies.is_admin(principal) or (policies.is_staff(principal) and principal.agency_id == report.agency_id),
        "Only the staff of the agency handling the report obtain originals.",
    )
    now = clock.now()
    await custody_log.append(
        report.id,
        CustodyKind.VIEWED_ORIGINAL,
        actor_id=principal.user_id,
        detail={"mediaId": str(media.id), "sha256": media.sha256},
        at=now,
    )
    url = await storage.signed_url(media.object_key, rules.url_ttl_seconds, media.content_type)
    return OriginalUrl(media, url, now + timedelta(seconds=rules.url_ttl_seconds))
