"""The edges around media: CSRF on multipart, the 413 body limit, the local store's signatures, a dead S3 store."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.storage import open_storage
from models.media import Media
from services.media.storage.signing import UploadPolicy, encode_policy
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, only_data
from tests.helpers.media_calls import UPLOAD_MEDIA, complete, create_upload, post_form, upload_multipart
from tests.helpers.media_env import LIMITS, MediaEnv, _open_env, client_for
from tests.helpers.media_files import photo


async def test_multipart_without_the_preflight_header_is_refused(
    local_client: httpx.AsyncClient, citizen: Caller
) -> None:
    response = await upload_multipart(local_client, citizen.token, photo(size=(32, 32)), "image/jpeg", preflight=False)
    assert response.status_code == 400
    assert_refused(response.json(), "BAD_USER_INPUT")
    assert await Media.all().count() == 0


async def test_a_body_over_the_limit_is_answered_413(local_client: httpx.AsyncClient, citizen: Caller) -> None:
    response = await upload_multipart(local_client, citizen.token, b"\xff\xd8\xff" + b"\0" * 2_600_000, "image/jpeg")
    assert response.status_code == 413
    assert_refused(response.json(), "PAYLOAD_TOO_LARGE")
    assert await Media.all().count() == 0


async def test_the_limit_counts_bytes_when_there_is_no_content_length(
    local_client: httpx.AsyncClient, citizen: Caller
) -> None:
    async def chunked() -> AsyncIterator[bytes]:
        yield json.dumps({"query": UPLOAD_MEDIA, "variables": {}}).encode()
        for _ in range(30):
            yield b" " * 100_000

    response = await local_client.post(
        "/graphql",
        content=chunked(),
        headers={"Authorization": f"Bearer {citizen.token}", "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def _reserve(client: httpx.AsyncClient, caller: Caller, data: bytes) -> dict[str, object]:
    body = await create_upload(client, caller.token, "image/jpeg", len(data))
    upload: dict[str, object] = only_data(body)["createMediaUpload"]
    return upload


async def test_local_uploads_need_the_signed_policy_unchanged(
    local_client: httpx.AsyncClient, local_env: MediaEnv, citizen: Caller
) -> None:
    data = photo(size=(32, 32))
    upload = await _reserve(local_client, citizen, data)
    fields = dict(upload["fields"])  # type: ignore[call-overload]
    for tampered in (
        {**fields, "key": "media/someone-else/original"},
        {**fields, "Content-Type": "text/html"},
        {**fields, "signature": "0" * 64},
    ):
        posted = await post_form(local_client, {**upload, "fields": tampered}, data, "x.jpg")
        assert posted.status_code == 403
    secret = local_env.settings.media_secret
    expired, signature = encode_policy(secret, UploadPolicy(fields["key"], "image/jpeg", 10_000, int(time.time()) - 1))
    posted = await post_form(
        local_client, {**upload, "fields": {**fields, "policy": expired, "signature": signature}}, data, "x.jpg"
    )
    assert posted.status_code == 403
    assert await local_env.storage.size(fields["key"]) is None
    assert (await post_form(local_client, upload, data, "x.jpg")).status_code == 204


async def test_local_media_is_served_only_through_signed_urls(
    local_client: httpx.AsyncClient, local_env: MediaEnv, citizen: Caller
) -> None:
    response = await upload_multipart(local_client, citizen.token, photo(size=(32, 32)), "image/jpeg")
    media = only_data(response.json())["uploadMedia"]
    url = httpx.URL(media["url"])
    assert (await local_client.get(url)).status_code == 200
    assert (await local_client.get(url.copy_with(query=None))).status_code == 403
    original = url.copy_with(path=f"/media/media/{media['id']}/original")
    assert (await local_client.get(original)).status_code == 403
    forged = url.copy_set_param("type", "text/html")
    assert (await local_client.get(forged)).status_code == 403
    assert (
        await local_client.get("/media/..%2F..%2Fetc%2Fpasswd?type=x&expires=9999999999&signature=x")
    ).status_code in (403, 404)


async def test_a_dead_s3_store_fails_fast_as_internal(database_url: str, tmp_path: Path, citizen: Caller) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        **LIMITS,
        STORAGE_URL="s3://nowhere",
        S3_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    async with _open_env("s3", settings) as env, client_for(env) as client:
        upload = await _reserve(client, citizen, b"x" * 100)
        started = time.monotonic()
        body = await complete(client, citizen.token, upload["media"]["id"])  # type: ignore[index]
        assert_refused(body, "INTERNAL")
        assert "nowhere" not in json.dumps(body)
        assert time.monotonic() - started < 10


@pytest.mark.parametrize("name", ["MAX_PHOTO_BYTES", "MEDIA_DECODE_WORKERS"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_media_limits_must_be_positive(database_url: str, tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        make_settings(database_url, tmp_path, **{name: value})


def test_an_s3_url_needs_a_bucket(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bucket"):
        make_settings(database_url, tmp_path, STORAGE_URL="s3://")


async def test_open_storage_picks_the_store_by_url(database_url: str, tmp_path: Path) -> None:
    async with open_storage(make_settings(database_url, tmp_path)) as storage:
        await storage.put("probe/a.txt", b"hello", "text/plain")
        assert await storage.read_head("probe/a.txt", 2) == b"he"
        assert (tmp_path / "media" / "probe" / "a.txt").read_bytes() == b"hello"
