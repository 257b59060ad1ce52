"""The media operations as a frontend sends them, shared by the media test modules."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.helpers.graphql import gql

MEDIA_FIELDS = """
    id kind status contentType sizeBytes sha256 width height capturedAt latitude longitude createdAt
    url thumbnailUrl
"""
CREATE_MEDIA_UPLOAD = f"""
mutation Create($input: CreateMediaUploadInput!) {{
  createMediaUpload(input: $input) {{ url fields expiresAt media {{ {MEDIA_FIELDS} }} }}
}}
"""
COMPLETE_MEDIA_UPLOAD = f"""
mutation Complete($mediaId: ID!) {{ completeMediaUpload(mediaId: $mediaId) {{ {MEDIA_FIELDS} }} }}
"""
UPLOAD_MEDIA = f"mutation Upload($file: Upload!) {{ uploadMedia(file: $file) {{ {MEDIA_FIELDS} }} }}"
MEDIA = f"query One($id: ID!) {{ media(id: $id) {{ {MEDIA_FIELDS} }} }}"


async def create_upload(
    client: httpx.AsyncClient, token: str, content_type: str, size: int, sha256: str | None = None
) -> dict[str, Any]:
    variables = {"input": {"contentType": content_type, "sizeBytes": size, "sha256": sha256}}
    return await gql(client, CREATE_MEDIA_UPLOAD, variables, token)


async def post_form(client: httpx.AsyncClient, upload: dict[str, Any], data: bytes, filename: str) -> httpx.Response:
    """POST the presigned form exactly as a browser would: the fields, then the file."""
    files = {"file": (filename, data, upload["fields"].get("Content-Type", "application/octet-stream"))}
    return await client.post(upload["url"], data=upload["fields"], files=files)


async def complete(client: httpx.AsyncClient, token: str, media_id: str) -> dict[str, Any]:
    return await gql(client, COMPLETE_MEDIA_UPLOAD, {"mediaId": media_id}, token)


async def upload_multipart(
    client: httpx.AsyncClient,
    token: str,
    data: bytes,
    content_type: str,
    filename: str = "photo.jpg",
    preflight: bool = True,
) -> httpx.Response:
    """The GraphQL multipart request spec: `operations`, `map`, then the file part."""
    operations = {"query": UPLOAD_MEDIA, "variables": {"file": None}}
    headers = {"Authorization": f"Bearer {token}"}
    if preflight:
        headers["Apollo-Require-Preflight"] = "true"
    return await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, content_type)},
        headers=headers,
    )
