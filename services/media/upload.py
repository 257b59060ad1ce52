"""Evidence uploads: reserving an upload, receiving bytes, and checking them before any report may use them.

A media row is PENDING until its bytes have been checked against what was declared and what they really are; then it
is READY (with a metadata-free derivative beside the private original) or REJECTED (with the original deleted). The
store's own enforcement of the upload policy is never relied upon: S3-compatible stores do not all enforce it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from auth.principal import Principal
from core import clock
from core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from core.ids import parse_uuid
from core.metrics import record_upload
from models.enums import MediaKind, MediaStatus
from models.media import Media
from services.common import limits
from services.media.inspection import inspect_photo
from services.media.rules import ALLOWED_TYPES, DERIVATIVE_TYPE, MediaRules
from services.media.sniffing import HEAD_BYTES, sniff
from services.media.storage import PresignedPost, Storage
from services.media.video import blank_metadata, read_facts

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHECK_LEASE = timedelta(minutes=2)


def upload_key(media_id: uuid.UUID) -> str:
    """Where a presigned form writes; its holder may write there again until the form expires."""
    return f"uploads/{media_id}"


def evidence_key(media_id: uuid.UUID) -> str:
    """The private original as checked: written only by the server, so what was checked cannot be swapped."""
    return f"media/{media_id}/original"


@dataclass(frozen=True)
class Upload:
    media: Media
    post: PresignedPost


def _kind_of(content_type: str) -> MediaKind:
    kind = ALLOWED_TYPES.get(content_type)
    if kind is None:
        raise UnsupportedMediaType(
            f"{content_type or 'This type'} is not accepted; send {', '.join(ALLOWED_TYPES)}.", field="contentType"
        )
    return kind


def _check_declaration(rules: MediaRules, content_type: str, size_bytes: int, sha256: str | None) -> MediaKind:
    kind = _kind_of(content_type)
    if size_bytes <= 0:
        raise InvalidInput("sizeBytes must be positive.", field="sizeBytes")
    limit = rules.max_bytes(kind)
    if size_bytes > limit:
        raise PayloadTooLarge(
            f"A {kind.value.lower()} may be at most {limit} bytes.", field="sizeBytes", maxBytes=limit
        )
    if sha256 is not None and not _SHA256.match(sha256):
        raise InvalidInput("sha256 must be 64 lowercase hexadecimal digits.", field="sha256")
    return kind


def _uploads_limit(principal: Principal, rules: MediaRules) -> limits.Limit:
    """Uploads a person may start in an hour, by either path: each one costs storage and a check (issue 14)."""
    return limits.Limit(
        limits.bucket("media.upload", str(principal.user_id)),
        limits.Quota(rules.uploads_per_hour, 3600),
        f"At most {rules.uploads_per_hour} uploads an hour; try again later.",
    )


def normalise_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


async def create_upload(
    principal: Principal, storage: Storage, rules: MediaRules, content_type: str, size_bytes: int, sha256: str | None
) -> Upload:
    """Reserve a media id and a server-chosen key, and sign a form that can upload exactly the declared file."""
    content_type = normalise_type(content_type)
    sha256 = sha256.lower() if sha256 else None
    kind = _check_declaration(rules, content_type, size_bytes, sha256)
    await limits.take(_uploads_limit(principal, rules))
    media_id = uuid.uuid4()
    key = upload_key(media_id)
    post = await storage.presigned_post(key, content_type, size_bytes, rules.upload_expiry_seconds)
    media = await Media.create(
        id=media_id,
        owner_id=principal.user_id,
        kind=kind,
        content_type=content_type,
        declared_size_bytes=size_bytes,
        declared_sha256=sha256,
        object_key=key,
    )
    return Upload(media=media, post=post)


async def complete_upload(principal: Principal, storage: Storage, rules: MediaRules, media_id: str) -> Media:
    """Check an uploaded file once the client says its bytes are in. Completing twice returns the same result."""
    parsed = parse_uuid(media_id)
    media = None if parsed is None else await Media.get_or_none(id=parsed, owner_id=principal.user_id)
    if media is None:
        raise NotFound("No such upload of yours.", field="mediaId")
    if media.status is MediaStatus.PENDING:
        if await _claim(media):
            try:
                await _verify(media, storage, rules)
            finally:
                if media.status is MediaStatus.PENDING:
                    await Media.filter(id=media.id, status=MediaStatus.PENDING).update(checked_at=None)
        else:
            await media.refresh_from_db()
            if media.status is MediaStatus.PENDING:
                raise Conflict("This upload is being checked; try again in a moment.", field="mediaId")
    if media.status is MediaStatus.REJECTED:
        raise Conflict(f"This upload was rejected: {media.rejection_reason}", field="mediaId")
    return media


async def _claim(media: Media) -> bool:
    """Let one request check an upload at a time: while PENDING, `checked_at` marks a check under way. A claim
    older than the lease is taken over, so a crashed check does not block the upload for ever."""
    now = clock.now()
    claimed = await Media.filter(
        Q(checked_at=None) | Q(checked_at__lt=now - CHECK_LEASE), id=media.id, status=MediaStatus.PENDING
    ).update(checked_at=now)
    return claimed == 1


async def upload_direct(
    principal: Principal, storage: Storage, rules: MediaRules, content_type: str, data: bytes
) -> Media:
    """The multipart path for small photos: the same declaration checks and the same verification, in one call."""
    content_type = normalise_type(content_type)
    kind = _check_declaration(rules, content_type, len(data), None)
    await limits.take(_uploads_limit(principal, rules))
    media_id = uuid.uuid4()
    key = evidence_key(media_id)
    media = await Media.create(
        id=media_id,
        owner_id=principal.user_id,
        kind=kind,
        content_type=content_type,
        declared_size_bytes=len(data),
        object_key=key,
    )
    await storage.put(key, data, content_type)
    await _verify(media, storage, rules)
    return media


async def _verify(media: Media, storage: Storage, rules: MediaRules) -> None:
    """Mark the media READY or REJECTED; a rejection deletes every stored byte and re-raises the reason."""
    try:
        if media.object_key == upload_key(media.id):
            await _freeze(media, storage, rules)
        await _check_and_derive(media, storage, rules)
    except (InvalidInput, PayloadTooLarge, UnsupportedMediaType) as refusal:
        await storage.delete(stored_keys(media))
        media.status = MediaStatus.REJECTED
        media.rejection_reason = refusal.message[:200]
        media.derivative_key = media.thumbnail_key = None
        media.checked_at = clock.now()
        await media.save()
        record_upload(media.kind.value, "rejected", media.declared_size_bytes)
        raise
    record_upload(media.kind.value, "ready", media.size_bytes or media.declared_size_bytes)


async def _freeze(media: Media, storage: Storage, rules: MediaRules) -> None:
    """Move the uploaded bytes out of the form's reach before checking them, so a second POST of the same form
    cannot replace what was checked."""
    size = await storage.size(media.object_key)
    if size is None:
        raise Conflict("No file has been received for this upload yet; send it, then complete.", field="mediaId")
    if size > rules.max_bytes(media.kind):
        raise PayloadTooLarge(
            f"The file is {size} bytes; too large.", field="file", maxBytes=rules.max_bytes(media.kind)
        )
    frozen = evidence_key(media.id)
    await storage.copy(media.object_key, frozen)
    await storage.delete([media.object_key])
    media.object_key = frozen
    await media.save(update_fields=["object_key"])


def stored_keys(media: Media) -> list[str]:
    """Every key that may hold bytes of this media, the form's target included."""
    keys = {media.object_key, upload_key(media.id), media.derivative_key, media.thumbnail_key}
    return sorted(k for k in keys if k)


async def _check_and_derive(media: Media, storage: Storage, rules: MediaRules) -> None:
    size = await storage.size(media.object_key)
    if size is None:
        raise Conflict("The checked copy of this upload is missing; upload it again.", field="mediaId")
    limit = rules.max_bytes(media.kind)
    if size > limit:
        raise PayloadTooLarge(f"The file is {size} bytes; at most {limit} are allowed.", field="file", maxBytes=limit)
    if size != media.declared_size_bytes:
        raise InvalidInput(
            f"The file is {size} bytes, not the declared {media.declared_size_bytes}.", field="sizeBytes"
        )
    real_type = sniff(await storage.read_head(media.object_key, HEAD_BYTES))
    if real_type != media.content_type:
        raise UnsupportedMediaType(f"The file is {real_type}, not the declared {media.content_type}.", field="file")
    if media.kind is MediaKind.PHOTO:
        data = await storage.get(media.object_key)
        digest = hashlib.sha256(data).hexdigest()
        _check_digest(media, digest)
        photo = await rules.decoder.run(inspect_photo, data, media.content_type, rules.max_image_pixels)
        media.derivative_key = f"media/{media.id}/display.jpg"
        media.thumbnail_key = f"media/{media.id}/thumbnail.jpg"
        await storage.put(media.derivative_key, photo.display, DERIVATIVE_TYPE)
        media.derivative_sha256 = hashlib.sha256(photo.display).hexdigest()
        await storage.put(media.thumbnail_key, photo.thumbnail, DERIVATIVE_TYPE)
        media.width, media.height = photo.width, photo.height
        media.captured_at = photo.captured_at
        media.gps_latitude, media.gps_longitude = photo.latitude, photo.longitude
    else:
        data = await storage.get(media.object_key)
        digest = hashlib.sha256(data).hexdigest()
        _check_digest(media, digest)
        facts = read_facts(data)
        blanked, _ = await rules.decoder.run(blank_metadata, data)
        media.derivative_key = f"media/{media.id}/display{VIDEO_SUFFIXES[media.content_type]}"
        await storage.put(media.derivative_key, blanked, media.content_type)
        media.derivative_sha256 = hashlib.sha256(blanked).hexdigest()
        media.captured_at = facts.captured_at
        media.gps_latitude, media.gps_longitude = facts.latitude, facts.longitude
    media.sha256 = digest
    media.size_bytes = size
    media.status = MediaStatus.READY
    media.checked_at = clock.now()
    await media.save()


VIDEO_SUFFIXES = {"video/mp4": ".mp4", "video/quicktime": ".mov"}


def _check_digest(media: Media, digest: str) -> None:
    if media.declared_sha256 and media.declared_sha256 != digest:
        raise InvalidInput("The file's SHA-256 differs from the declared one.", field="sha256")
