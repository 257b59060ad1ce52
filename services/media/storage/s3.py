"""Evidence in S3 or any S3-compatible store (MinIO, moto), through aioboto3.

Path-style addressing works everywhere, including stores without wildcard DNS; short timeouts and two attempts make a
dead store fail a request within seconds instead of holding it open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from core import clock
from services.media.storage.base import STREAM_CHUNK_BYTES, PresignedPost, StorageUnavailable

P = ParamSpec("P")
T = TypeVar("T")


def _unavailable_on_transport_errors(function: Callable[P, Any]) -> Callable[P, Any]:
    @wraps(function)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return await function(*args, **kwargs)
        except BotoCoreError as exc:
            raise StorageUnavailable(type(exc).__name__) from exc

    return wrapper


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class S3Storage:
    """`client` talks to the store; `signer` (the same client unless the store has a public address of its own) signs
    what clients use directly: upload forms and media URLs."""

    def __init__(self, client: Any, bucket: str, *, signer: Any = None) -> None:
        self.client = client
        self.signer = client if signer is None else signer
        self.bucket = bucket

    async def check(self) -> None:
        try:
            await self.client.head_bucket(Bucket=self.bucket)
        except BotoCoreError as exc:
            raise StorageUnavailable(type(exc).__name__) from exc
        except ClientError as exc:
            raise StorageUnavailable(str(exc.response.get("Error", {}).get("Code", "error"))) from exc

    async def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_in_seconds: int
    ) -> PresignedPost:
        post = await self.signer.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in_seconds,
        )
        expires_at = clock.now() + timedelta(seconds=expires_in_seconds)
        return PresignedPost(url=post["url"], fields=dict(post["fields"]), expires_at=expires_at)

    @_unavailable_on_transport_errors
    async def size(self, key: str) -> int | None:
        try:
            head = await self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    @_unavailable_on_transport_errors
    async def read_head(self, key: str, length: int) -> bytes:
        response = await self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{length - 1}")
        body = response["Body"]
        async with body:
            data: bytes = await body.read()
        return data

    @_unavailable_on_transport_errors
    async def get(self, key: str) -> bytes:
        response = await self.client.get_object(Bucket=self.bucket, Key=key)
        body = response["Body"]
        async with body:
            data: bytes = await body.read()
        return data

    async def stream(self, key: str, chunk_bytes: int = STREAM_CHUNK_BYTES) -> AsyncIterator[bytes]:
        response = await self.client.get_object(Bucket=self.bucket, Key=key)
        body = response["Body"]
        async with body:
            while chunk := await body.read(chunk_bytes):
                yield chunk

    @_unavailable_on_transport_errors
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    @_unavailable_on_transport_errors
    async def copy(self, source: str, destination: str) -> None:
        await self.client.copy_object(
            Bucket=self.bucket, Key=destination, CopySource={"Bucket": self.bucket, "Key": source}
        )

    @_unavailable_on_transport_errors
    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            await self.client.delete_object(Bucket=self.bucket, Key=key)

    async def signed_url(self, key: str, expires_in_seconds: int, content_type: str) -> str:
        url: str = await self.signer.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type},
            ExpiresIn=expires_in_seconds,
        )
        return url
