"""Storage chosen by `STORAGE_URL`: `s3://bucket` or `file:///path`, opened in the lifespan or by a CLI command.

This is the only place that picks an implementation; everything past it sees `services.media.storage.Storage`. With
`S3_PUBLIC_ENDPOINT_URL` the API reaches the store at `S3_ENDPOINT_URL` (an internal address such as
`http://minio:9000`) but signs the forms and URLs it hands to phones for the public one, since an S3 signature covers
the host the client sends to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aioboto3
from aiobotocore.config import AioConfig

from core.settings import Settings
from services.media.decoding import Decoder
from services.media.rules import MediaRules
from services.media.storage.base import Storage
from services.media.storage.local import LocalStorage
from services.media.storage.s3 import S3Storage

S3_CONFIG = AioConfig(
    s3={"addressing_style": "path"},
    signature_version="s3v4",
    connect_timeout=3,
    read_timeout=10,
    retries={"max_attempts": 2, "mode": "standard"},
)


@asynccontextmanager
async def open_storage(settings: Settings) -> AsyncIterator[Storage]:
    """Open the configured store for the life of the app (or of a CLI command) and close it after."""
    if settings.storage_url.startswith("file://"):
        yield LocalStorage(
            Path(settings.storage_url.removeprefix("file://")), settings.public_url, settings.media_secret
        )
        return
    bucket = settings.storage_url.removeprefix("s3://").strip("/")
    session = aioboto3.Session(
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key,
        region_name=settings.aws_region,
    )
    async with AsyncExitStack() as clients:
        client = await clients.enter_async_context(
            session.client("s3", endpoint_url=settings.s3_endpoint_url, config=S3_CONFIG)
        )
        signer = client
        public = settings.s3_public_endpoint_url
        if public is not None and public != settings.s3_endpoint_url:
            # Signing is local computation: this client never opens a connection.
            signer = await clients.enter_async_context(session.client("s3", endpoint_url=public, config=S3_CONFIG))
        yield S3Storage(client, bucket, signer=signer)


def media_rules(settings: Settings) -> MediaRules:
    return MediaRules(
        max_photo_bytes=settings.max_photo_bytes,
        max_video_bytes=settings.max_video_bytes,
        max_image_pixels=settings.max_image_pixels,
        upload_expiry_seconds=settings.upload_expiry_seconds,
        url_ttl_seconds=settings.media_url_ttl_seconds,
        uploads_per_hour=settings.media_upload_limit_per_hour,
        decoder=Decoder(settings.media_decode_workers),
    )
