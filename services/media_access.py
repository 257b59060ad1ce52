"""Who may see a media item, the short-lived URLs they get, and the removal of uploads no report ever used.

Every read goes through `can_view_media`, batched or not. Originals of photos are never handed out: only the
metadata-free derivative and thumbnail are. Videos are not re-encoded, so their original is what is served.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from auth.principal import Principal
from models.enums import MediaKind, MediaStatus, Role
from models.media import Media
from services.errors import NotFound
from services.media import stored_keys
from services.media_rules import DERIVATIVE_TYPE, MediaRules
from services.reference import parse_uuid
from services.storage import Storage


def can_view_media(principal: Principal | None, media: Media) -> bool:
    """The owner and city operators, for now; the reports work adds the staff of the report's agency here."""
    if principal is None:
        return False
    return principal.role is Role.ADMIN or media.owner_id == principal.user_id  # type: ignore[attr-defined]


async def get_media(principal: Principal, media_id: str) -> Media:
    """One media item the caller may see; an invisible one is as not found as a missing one."""
    parsed = parse_uuid(media_id)
    media = None if parsed is None else await Media.get_or_none(id=parsed)
    if media is None or not can_view_media(principal, media):
        raise NotFound("No such media.", field="id")
    return media


async def media_by_ids(keys: Sequence[tuple[Principal | None, uuid.UUID]]) -> list[Media | None]:
    """Media in key order for dataloaders, in one query; items the key's caller may not see come back as None.

    Keys carry the caller because loaders are built before a websocket knows who it serves.
    """
    found = {m.id: m for m in await Media.filter(id__in=list({media_id for _, media_id in keys}))}
    return [
        media if media is not None and can_view_media(principal, media) else None
        for principal, media in ((p, found.get(media_id)) for p, media_id in keys)
    ]


@dataclass(frozen=True)
class ServedKeys:
    url_key: str | None
    url_type: str
    thumbnail_key: str | None


def served_keys(media: Media) -> ServedKeys:
    if media.status is not MediaStatus.READY:
        return ServedKeys(None, media.content_type, None)
    if media.kind is MediaKind.VIDEO:
        return ServedKeys(media.object_key, media.content_type, None)
    return ServedKeys(media.derivative_key, DERIVATIVE_TYPE, media.thumbnail_key)


async def signed_url(storage: Storage, rules: MediaRules, key: str | None, content_type: str) -> str | None:
    """A URL that works for `rules.url_ttl_seconds`; none for media that is not ready."""
    if key is None:
        return None
    return await storage.signed_url(key, rules.url_ttl_seconds, content_type)


async def remove_unattached(storage: Storage, older_than: timedelta) -> int:
    """Delete uploads never attached to a report, bytes first so a failure leaves a row to retry from."""
    cutoff = datetime.now(UTC) - older_than
    stale = await Media.filter(report_id=None, created_at__lt=cutoff)
    for media in stale:
        await storage.delete(stored_keys(media))
        await media.delete()
    return len(stale)
