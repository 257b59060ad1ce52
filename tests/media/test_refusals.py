"""Every bad case gets its code and leaves nothing usable behind, on both stores."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.enums import MediaStatus
from models.media import Media
from services.media.upload import stored_keys
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.media_calls import MEDIA, complete, create_upload, post_form, upload_multipart
from tests.helpers.media_env import MediaEnv
from tests.helpers.media_files import ELF_PROGRAM, HTML, SVG, WINDOWS_PROGRAM, mp4, photo, png_bomb, sha256


async def _refused_after_upload(
    client: httpx.AsyncClient, env: MediaEnv, caller: Caller, declared: str, data: bytes, **create: Any
) -> tuple[list[str], Media]:
    """Reserve, send the bytes, complete: return the error codes and the media row as it is left."""
    upload = only_data(await create_upload(client, caller.token, declared, len(data), **create))["createMediaUpload"]
    await post_form(client, upload, data, "evidence.jpg")
    body = await complete(client, caller.token, upload["media"]["id"])
    return error_codes(body), await Media.get(id=upload["media"]["id"])


@pytest.mark.parametrize(
    ("declared", "data"),
    [
        pytest.param("image/jpeg", ELF_PROGRAM, id="linux-program-renamed-jpg"),
        pytest.param("image/jpeg", WINDOWS_PROGRAM, id="windows-program-renamed-jpg"),
        pytest.param("image/png", SVG, id="svg-as-png"),
        pytest.param("image/jpeg", HTML, id="html-as-jpeg"),
        pytest.param("image/jpeg", photo("PNG", size=(32, 32)), id="png-declared-jpeg"),
        pytest.param("video/mp4", photo(size=(32, 32)), id="jpeg-declared-video"),
        pytest.param("image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, id="jpeg-magic-but-no-image"),
        pytest.param("image/png", photo("PNG", size=(64, 64))[:-40], id="truncated-png"),
    ],
)
async def test_impostors_are_rejected_and_their_bytes_deleted(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, declared: str, data: bytes
) -> None:
    codes, media = await _refused_after_upload(media_client, media_env, citizen, declared, data)
    assert codes == ["UNSUPPORTED_MEDIA_TYPE"]
    assert media.status is MediaStatus.REJECTED
    for key in stored_keys(media):
        assert await media_env.storage.size(key) is None
    seen = only_data(await gql(media_client, MEDIA, {"id": str(media.id)}, citizen.token))["media"]
    assert seen["status"] == "REJECTED"
    assert seen["url"] is None
    assert_refused(await complete(media_client, citizen.token, str(media.id)), "CONFLICT")


async def test_decompression_bomb_is_refused_before_decoding(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller
) -> None:
    codes, media = await _refused_after_upload(media_client, media_env, citizen, "image/png", png_bomb())
    assert codes == ["PAYLOAD_TOO_LARGE"]
    assert media.status is MediaStatus.REJECTED
    assert media.derivative_key is None


async def test_declared_checksum_must_match(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller
) -> None:
    data = mp4()
    codes, media = await _refused_after_upload(
        media_client, media_env, citizen, "video/mp4", data, sha256=sha256(b"something else")
    )
    assert codes == ["BAD_USER_INPUT"]
    assert media.status is MediaStatus.REJECTED


async def test_a_file_smaller_than_declared_is_rejected(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller
) -> None:
    data = photo(size=(40, 40))
    upload = only_data(await create_upload(media_client, citizen.token, "image/jpeg", len(data) + 100))[
        "createMediaUpload"
    ]
    await post_form(media_client, upload, data, "short.jpg")
    assert_refused(await complete(media_client, citizen.token, upload["media"]["id"]), "BAD_USER_INPUT")
    assert (await Media.get(id=upload["media"]["id"])).status is MediaStatus.REJECTED


async def test_a_file_larger_than_declared_never_becomes_ready(
    media_client: httpx.AsyncClient, citizen: Caller
) -> None:
    data = photo(size=(200, 200))
    upload = only_data(await create_upload(media_client, citizen.token, "image/jpeg", 100))["createMediaUpload"]
    posted = await post_form(media_client, upload, data, "long.jpg")
    codes = error_codes(await complete(media_client, citizen.token, upload["media"]["id"]))
    # The store may refuse the form (its policy says at most 100 bytes) or, if it does not enforce policies,
    # accept it; either way the server's own check keeps the media from ever being usable.
    assert codes == (["CONFLICT"] if posted.status_code >= 400 else ["BAD_USER_INPUT"])
    assert (await Media.get(id=upload["media"]["id"])).status is not MediaStatus.READY


@pytest.mark.parametrize(
    ("content_type", "size", "code"),
    [
        ("image/svg+xml", 1000, "UNSUPPORTED_MEDIA_TYPE"),
        ("text/html", 1000, "UNSUPPORTED_MEDIA_TYPE"),
        ("application/x-msdownload", 1000, "UNSUPPORTED_MEDIA_TYPE"),
        ("image/jpeg", 2_000_001, "PAYLOAD_TOO_LARGE"),
        ("video/mp4", 3_000_001, "PAYLOAD_TOO_LARGE"),
        ("image/jpeg", 0, "BAD_USER_INPUT"),
    ],
)
async def test_bad_declarations_are_refused_without_a_trace(
    media_client: httpx.AsyncClient, citizen: Caller, content_type: str, size: int, code: str
) -> None:
    body = await create_upload(media_client, citizen.token, content_type, size)
    assert_refused(body, code)
    assert await Media.all().count() == 0


async def test_a_malformed_checksum_is_bad_input(media_client: httpx.AsyncClient, citizen: Caller) -> None:
    body = await create_upload(media_client, citizen.token, "image/jpeg", 10, sha256="not-hex")
    assert_refused(body, "BAD_USER_INPUT")
    assert body["errors"][0]["extensions"]["field"] == "sha256"


async def test_anonymous_callers_may_not_upload(media_client: httpx.AsyncClient) -> None:
    variables = {"input": {"contentType": "image/jpeg", "sizeBytes": 10}}
    body = await gql(
        media_client,
        "mutation($input: CreateMediaUploadInput!) { createMediaUpload(input: $input) { url } }",
        variables,
    )
    assert_refused(body, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        pytest.param(SVG, "image/svg+xml", "UNSUPPORTED_MEDIA_TYPE", id="svg-declared"),
        pytest.param(ELF_PROGRAM, "image/jpeg", "UNSUPPORTED_MEDIA_TYPE", id="program-as-jpeg"),
        pytest.param(png_bomb(), "image/png", "PAYLOAD_TOO_LARGE", id="bomb"),
    ],
)
async def test_multipart_refusals(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, data: bytes, content_type: str, code: str
) -> None:
    response = await upload_multipart(media_client, citizen.token, data, content_type)
    assert_refused(response.json(), code)
    for media in await Media.all():
        assert media.status is MediaStatus.REJECTED
        for key in stored_keys(media):
            assert await media_env.storage.size(key) is None
