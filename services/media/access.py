"""Who may see a media item, the short-lived URLs they get, and the removal of uploads no report ever used.

Every read goes through `visible_media_q`. Originals of photos are never handed out: only the
metadata-free derivative and thumbnail are; videos are served as a copy whose metadata boxes are blanked.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from auth.principal import Principal
from core import clock
from models.enums import MediaKind, MediaStatus
from models.media import Media
from services.common import policies
from services.media.rules import DERIVATIVE_TYPE, MediaRules
from services.media.storage import Storage
from services.media.upload import stored_keys
from services.reports.scope import visible_q


def visible_media_q(principal: Principal) -> Q:
    """Its owner, and whoever may see the report it is evidence of (the agency's staff, admins)."""
    if policies.is_admin(principal):
        return Q()
    return Q(owner_id=principal.user_id) | (Q(report_id__isnull=False) & visible_q(principal, "report__"))


async def media_by_ids(keys: Sequence[tuple[Principal | None, uuid.UUID]]) -> list[Media | None]:
    """Media in key order for dataloaders, one query per distinct caller (one per request in practice); items the
    key's caller may not see come back as None.

    Keys carry the caller because loaders are built before a websocket knows who it serves.
    """
    found: dict[tuple[Principal | None, uuid.UUID], Media] = {}
    for principal in {principal for principal, _ in keys}:
        if principal is None:
            continue
        ids = list({media_id for p, media_id in keys if p == principal})
        for media in await Media.filter(visible_media_q(principal), id__in=ids):
            found[(principal, media.id)] = media
    return [found.get(key) for key in keys]


@dataclass(frozen=True)
class ServedKeys:
    url_key: str | None
    url_type: str
    thumbnail_key: str | None


def served_keys(media: Media) -> ServedKeys:
    if media.status is not MediaStatus.READY:
        return ServedKeys(None, media.content_type, None)
    if media.kind is MediaKind.VIDEO:
        return ServedKeys(media.derivative_key, media.content_type, None)
    return ServedKeys(media.derivative_key, DERIVATIVE_TYPE, media.thumbnail_key)


async def signed_url(storage: Storage, rules: MediaRules, key: str | None, content_type: str) -> str | None:
    """A URL that works for `rules.url_ttl_seconds`; none for media that is not ready."""
    if key is None:
        return None
    return await storage.signed_url(key, rules.url_ttl_seconds, content_type)


async def remove_unattached(storage: Storage, older_than: timedelta) -> int:
    """Delete uploads never attached to a report, bytes first so a failure leaves a row to retry from."""
    cutoff = clock.now() - older_than
    stale = await Media.filter(report_id=None, created_at__lt=cutoff)
    for media in stale:
        await storage.delete(stored_keys(media))
        await media.delete()
    return len(stale)
