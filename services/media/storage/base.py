"""The one storage interface. The services speak only to it, so they never know whether S3 or a disk holds the bytes.

Browsers and mini-apps send evidence straight to the store through a presigned POST (S3's form semantics, which the
local store imitates through an endpoint of ours); the API itself only reads what it must check and writes the
derivatives it makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# How much of an object `Storage.stream` holds at once.
STREAM_CHUNK_BYTES = 1024 * 1024


class StorageUnavailable(Exception):
    """The store did not answer in time; callers surface it as an internal error, never as the client's fault."""


@dataclass(frozen=True)
class PresignedPost:
    """Where and how a client sends one object: POST `url` as multipart with `fields` first and the file last."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class Storage(Protocol):
    async def check(self) -> None:
        """Raise `StorageUnavailable` unless the store answers and holds the bucket (or directory) this API writes."""
        ...

    async def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in_seconds: int
    ) -> PresignedPost:
        """A form that lets its holder upload exactly `key`, of exactly `content_type`, of at most `max_bytes`."""
        ...

    async def size(self, key: str) -> int | None:
        """The stored size in bytes, or None when there is no such object."""
        ...

    async def read_head(self, key: str, length: int) -> bytes:
        """The first `length` bytes (fewer if the object is shorter): enough to tell a type by its magic bytes."""
        ...

    async def get(self, key: str) -> bytes:
        """The whole object; only for objects whose size was checked against a limit first."""
        ...

    def stream(self, key: str, chunk_bytes: int = STREAM_CHUNK_BYTES) -> AsyncIterator[bytes]:
        """The object's bytes in chunks of at most `chunk_bytes`, never whole in memory: for re-hashing originals and
        for archives that carry them, whatever their size."""
        ...

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def copy(self, source: str, destination: str) -> None:
        """Copy inside the store, without the bytes passing through the API."""
        ...

    async def delete(self, keys: list[str]) -> None:
        """Remove the objects; keys that do not exist are ignored, so cleanup can be retried."""
        ...

    async def signed_url(self, key: str, expires_in_seconds: int, content_type: str) -> str:
        """A short-lived GET URL for one object, served with `content_type`."""
        ...
