"""Evidence on local disk, for the embedded default and development.

It offers the same semantics as S3: clients upload through `POST /media/upload` with a signed, expiring policy in the
form fields, and read through signed, expiring `GET /media/{key}` URLs (both served by `api/routes/media.py`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from services.media.storage.base import STREAM_CHUNK_BYTES, PresignedPost, StorageUnavailable
from services.media.storage.signing import UploadPolicy, encode_policy, sign_url

CHUNK_BYTES = 1024 * 1024


class ObjectTooLarge(Exception):
    """An upload went past the size its policy allows; nothing of it is kept."""


class LocalStorage:
    def __init__(self, root: Path, public_url: str, secret: bytes) -> None:
        self.root = root.resolve()
        self.public_url = public_url.rstrip("/")
        self.secret = secret
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        """The file of `key`; keys are chosen by the server, but a crafted URL must never reach outside the root."""
        path = (self.root / key).resolve()
        if not key or not path.is_relative_to(self.root) or path == self.root:
            raise FileNotFoundError(key)
        return path

    async def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in_seconds: int
    ) -> PresignedPost:
        expires = int(time.time()) + expires_in_seconds
        policy, signature = encode_policy(self.secret, UploadPolicy(key, content_type, max_bytes, expires))
        return PresignedPost(
            url=f"{self.public_url}/media/upload",
            fields={"key": key, "Content-Type": content_type, "policy": policy, "signature": signature},
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    async def check(self) -> None:
        if not await asyncio.to_thread(os.access, self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"{self.root} is not a writable directory")

    async def size(self, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(self.path_of(key).stat)).st_size
        except FileNotFoundError:
            return None

    async def read_head(self, key: str, length: int) -> bytes:
        return await asyncio.to_thread(_read, self.path_of(key), length)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path_of(key).read_bytes)

    async def stream(self, key: str, chunk_bytes: int = STREAM_CHUNK_BYTES) -> AsyncIterator[bytes]:
        path, offset = self.path_of(key), 0
        while chunk := await asyncio.to_thread(_read, path, chunk_bytes, offset):
            offset += len(chunk)
            yield chunk

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(_write_atomically, self.path_of(key), [data])

    async def copy(self, source: str, destination: str) -> None:
        await asyncio.to_thread(_copy_atomically, self.path_of(source), self.path_of(destination))

    async def accept_upload(self, key: str, chunks: AsyncIterator[bytes], max_bytes: int) -> int:
        """Store an upload of at most `max_bytes`, counting as it goes; a larger one leaves no file behind."""
        parts: list[bytes] = []
        total = 0
        async for chunk in chunks:
            total += len(chunk)
            if total > max_bytes:
                raise ObjectTooLarge(key)
            parts.append(chunk)
        await asyncio.to_thread(_write_atomically, self.path_of(key), parts)
        return total

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def signed_url(self, key: str, expires_in_seconds: int, content_type: str) -> str:
        expires = int(time.time()) + expires_in_seconds
        query = urlencode(
            {"type": content_type, "expires": expires, "signature": sign_url(self.secret, key, content_type, expires)}
        )
        return f"{self.public_url}/media/{quote(key)}?{query}"


def _read(path: Path, length: int, offset: int = 0) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def _copy_atomically(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.part")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def _write_atomically(path: Path, parts: list[bytes]) -> None:
    """Write beside the target and rename, so a reader never sees half an object."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        with temporary.open("wb") as handle:
            for part in parts:
                handle.write(part)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
