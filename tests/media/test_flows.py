"""The two upload flows through the GraphQL endpoint, on both stores: presigned POST then complete, and multipart."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import httpx
from PIL import Image

from models.enums import MediaStatus
from models.media import Media
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.media_calls import MEDIA, complete, create_upload, post_form, upload_multipart
from tests.helpers.media_env import MediaEnv
from tests.helpers.media_files import LAKE_LATITUDE, LAKE_LONGITUDE, moov_with_location, mov, mp4, photo, sha256


async def test_presigned_photo_is_checked_and_served_without_gps(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller
) -> None:
    original = photo(taken=datetime(2026, 11, 20, 8, 30), gps=(LAKE_LATITUDE, LAKE_LONGITUDE), comment=b"secret")
    upload = only_data(await create_upload(media_client, citizen.token, "image/jpeg", len(original), sha256(original)))[
        "createMediaUpload"
    ]
    assert upload["media"]["status"] == "PENDING"
    assert upload["media"]["url"] is None
    assert datetime.fromisoformat(upload["expiresAt"]) > datetime.now(UTC)
    posted = await post_form(media_client, upload, original, "evidence.jpg")
    assert posted.status_code in (200, 201, 204), posted.text

    media = only_data(await complete(media_client, citizen.token, upload["media"]["id"]))["completeMediaUpload"]

    assert media["status"] == "READY"
    assert media["kind"] == "PHOTO"
    assert media["sha256"] == sha256(original)
    assert media["sizeBytes"] == len(original)
    assert (media["width"], media["height"]) == (640, 480)
    assert datetime.fromisoformat(media["capturedAt"]) == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert abs(media["latitude"] - LAKE_LATITUDE) < 1e-5
    assert abs(media["longitude"] - LAKE_LONGITUDE) < 1e-5
    served = await media_client.get(media["url"])
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("image/jpeg")
    derivative = Image.open(io.BytesIO(served.content))
    assert derivative.size == (640, 480)
    assert len(derivative.getexif()) == 0
    assert "exif" not in derivative.info
    assert b"secret" not in served.content
    assert served.content != original
    thumbnail = Image.open(io.BytesIO((await media_client.get(media["thumbnailUrl"])).content))
    assert max(thumbnail.size) == 320
    assert len(thumbnail.getexif()) == 0


async def test_completing_twice_returns_the_same_media(media_client: httpx.AsyncClient, citizen: Caller) -> None:
    data = photo("PNG", size=(100, 80))
    upload = only_data(await create_upload(media_client, citizen.token, "image/png", len(data)))["createMediaUpload"]
    await post_form(media_client, upload, data, "a.png")
    first = only_data(await complete(media_client, citizen.token, upload["media"]["id"]))["completeMediaUpload"]
    again = only_data(await complete(media_client, citizen.token, upload["media"]["id"]))["completeMediaUpload"]
    assert first["status"] == again["status"] == "READY"
    assert first["sha256"] == again["sha256"]


async def test_multipart_upload_of_a_small_photo(media_client: httpx.AsyncClient, officer: Caller) -> None:
    data = photo("WEBP", size=(300, 200), gps=(21.0, 105.8))
    response = await upload_multipart(media_client, officer.token, data, "image/webp", "photo.webp")
    media = only_data(response.json())["uploadMedia"]
    assert media["status"] == "READY"
    assert media["contentType"] == "image/webp"
    assert (media["width"], media["height"]) == (300, 200)
    served = await media_client.get(media["url"])
    assert served.status_code == 200
    assert len(Image.open(io.BytesIO(served.content)).getexif()) == 0


async def test_heic_photo_is_accepted(media_client: httpx.AsyncClient, citizen: Caller) -> None:
    data = photo("HEIF", size=(200, 100), gps=(LAKE_LATITUDE, LAKE_LONGITUDE))
    upload = only_data(await create_upload(media_client, citizen.token, "image/heic", len(data)))["createMediaUpload"]
    await post_form(media_client, upload, data, "IMG_0001.HEIC")
    media = only_data(await complete(media_client, citizen.token, upload["media"]["id"]))["completeMediaUpload"]
    assert media["status"] == "READY"
    assert abs(media["latitude"] - LAKE_LATITUDE) < 1e-5
    served = await media_client.get(media["url"])
    assert Image.open(io.BytesIO(served.content)).format == "JPEG"


async def test_videos_are_served_without_their_location(media_client: httpx.AsyncClient, citizen: Caller) -> None:
    shot_at = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    moov = moov_with_location(LAKE_LATITUDE, LAKE_LONGITUDE, shot_at)
    for data, content_type in ((mp4(moov=moov), "video/mp4"), (mov(moov=moov), "video/quicktime")):
        upload = only_data(await create_upload(media_client, citizen.token, content_type, len(data), sha256(data)))[
            "createMediaUpload"
        ]
        await post_form(media_client, upload, data, "clip")
        media = only_data(await complete(media_client, citizen.token, upload["media"]["id"]))["completeMediaUpload"]
        assert media["status"] == "READY"
        assert media["kind"] == "VIDEO"
        assert media["sha256"] == sha256(data)
        assert media["thumbnailUrl"] is None
        assert abs(media["latitude"] - LAKE_LATITUDE) < 1e-3
        assert abs(media["longitude"] - LAKE_LONGITUDE) < 1e-3
        assert media["capturedAt"] == "2026-11-20T07:30:00+00:00"
        served = await media_client.get(media["url"])
        assert served.status_code == 200
        assert len(served.content) == len(data)
        assert served.content[:8] == data[:8]
        for secret in (b"\xa9xyz", f"{LAKE_LATITUDE:+08.4f}".encode(), b"xmpmeta", b"Le Thi Hoa", b"udta"):
            assert secret in data
            assert secret not in served.content
        assert served.headers["content-type"].startswith(content_type)


async def test_unattached_media_is_seen_by_its_owner_and_admins_only(
    media_client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    data = photo(size=(64, 64))
    media = only_data((await upload_multipart(media_client, citizen.token, data, "image/jpeg")).json())["uploadMedia"]
    for caller in (citizen, admin):
        seen = only_data(await gql(media_client, MEDIA, {"id": media["id"]}, caller.token))["media"]
        assert seen["id"] == media["id"]
        assert seen["url"]
    assert only_data(await gql(media_client, MEDIA, {"id": media["id"]}, officer.token))["media"] is None
    assert only_data(await gql(media_client, MEDIA, {"id": "not-a-uuid"}, citizen.token))["media"] is None
    assert_refused(await gql(media_client, MEDIA, {"id": media["id"]}), "UNAUTHENTICATED")
    assert_refused(await complete(media_client, officer.token, media["id"]), "NOT_FOUND")


async def test_evidence_is_visible_to_the_staff_of_the_reports_agency_only(
    media_client: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller
) -> None:
    data = photo(size=(64, 64))
    media = only_data((await upload_multipart(media_client, citizen.token, data, "image/jpeg")).json())["uploadMedia"]
    report = await make_report(citizen.user, agency_code="PC08")
    await Media.filter(id=media["id"]).update(report_id=report.id)
    seen = only_data(await gql(media_client, MEDIA, {"id": media["id"]}, officer.token))["media"]
    assert seen["id"] == media["id"]
    assert (await media_client.get(seen["url"])).status_code == 200
    assert only_data(await gql(media_client, MEDIA, {"id": media["id"]}, other_officer.token))["media"] is None


async def test_completing_before_the_bytes_arrive_is_a_conflict_and_stays_pending(
    media_client: httpx.AsyncClient, citizen: Caller
) -> None:
    upload = only_data(await create_upload(media_client, citizen.token, "image/jpeg", 1000))["createMediaUpload"]
    assert_refused(await complete(media_client, citizen.token, upload["media"]["id"]), "CONFLICT")
    assert (await Media.get(id=upload["media"]["id"])).status is MediaStatus.PENDING


async def test_multipart_carries_a_video_larger_than_the_photo_limit_whole(
    media_client: httpx.AsyncClient, citizen: Caller
) -> None:
    data = mp4(2_200_000)
    response = await upload_multipart(media_client, citizen.token, data, "video/mp4", "clip.mp4")
    media = only_data(response.json())["uploadMedia"]
    assert media["sizeBytes"] == len(data)
    assert media["sha256"] == sha256(data)


async def test_posting_the_form_again_after_completion_changes_nothing_served(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller
) -> None:
    data = mp4()
    upload = only_data(await create_upload(media_client, citizen.token, "video/mp4", len(data)))["createMediaUpload"]
    await post_form(media_client, upload, data, "clip.mp4")
    media = only_data(await complete(media_client, citizen.token, upload["media"]["id"]))["completeMediaUpload"]
    await post_form(media_client, upload, b"<html>" + b" " * (len(data) - 6), "clip.mp4")
    again = only_data(await gql(media_client, MEDIA, {"id": media["id"]}, citizen.token))["media"]
    assert (await media_client.get(again["url"])).content == data
    assert again["sha256"] == sha256(data)


async def test_concurrent_completions_check_the_upload_once(media_client: httpx.AsyncClient, citizen: Caller) -> None:
    data = photo(size=(400, 300))
    upload = only_data(await create_upload(media_client, citizen.token, "image/jpeg", len(data)))["createMediaUpload"]
    await post_form(media_client, upload, data, "a.jpg")
    bodies = await asyncio.gather(*(complete(media_client, citizen.token, upload["media"]["id"]) for _ in range(3)))
    outcomes = sorted(
        b["data"]["completeMediaUpload"]["status"] if b.get("data") else error_codes(b)[0] for b in bodies
    )
    assert "READY" in outcomes
    assert set(outcomes) <= {"READY", "CONFLICT"}
    assert (await Media.get(id=upload["media"]["id"])).status is MediaStatus.READY
