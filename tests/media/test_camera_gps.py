"""Dashcam and action-camera GPS is not served (finding 10): each carrier is uploaded through the GraphQL endpoint on
both stores, the served copy downloaded, and none of the position's bytes remain, while the file still walks box by
box and its picture (the video track's table and frames) is exactly as uploaded."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.helpers.camera_videos import (
    FRAMES,
    CameraVideo,
    box_tree,
    boxes_at,
    camm_camera,
    free_space_note,
    gopro,
    novatek_dashcam,
    subtitled_dashcam,
)
from tests.helpers.factories import Caller
from tests.helpers.graphql import only_data
from tests.helpers.media_calls import complete, create_upload, post_form
from tests.helpers.media_files import sha256

CARRIERS: dict[str, Callable[[], CameraVideo]] = {
    "novatek-freegps-and-moov-gps": novatek_dashcam,
    "gopro-gpmd-track": gopro,
    "camm-track-co64": camm_camera,
    "subtitle-track": lambda: subtitled_dashcam(b"sbtl"),
    "quicktime-text-track": lambda: subtitled_dashcam(b"text"),
    "free-and-skip-boxes": free_space_note,
}


async def served_copy(client: httpx.AsyncClient, caller: Caller, data: bytes) -> bytes:
    """Upload `data` as a frontend does (reserve, POST the form, complete) and download what is served of it."""
    upload = only_data(await create_upload(client, caller.token, "video/mp4", len(data), sha256(data)))
    form = upload["createMediaUpload"]
    await post_form(client, form, data, "clip.mp4")
    media = only_data(await complete(client, caller.token, form["media"]["id"]))["completeMediaUpload"]
    assert media["status"] == "READY"
    assert media["sha256"] == sha256(data)
    served = await client.get(media["url"])
    assert served.status_code == 200
    return served.content


@pytest.mark.parametrize("build", CARRIERS.values(), ids=CARRIERS.keys())
async def test_camera_gps_is_not_served_and_the_video_still_parses(
    media_client: httpx.AsyncClient, citizen: Caller, build: Callable[[], CameraVideo]
) -> None:
    video = build()
    served = await served_copy(media_client, citizen, video.data)

    for secret in video.secrets:
        assert secret in video.data
        assert secret not in served
    assert len(served) == len(video.data)
    assert [path for path, _, _ in box_tree(served)][:2] == [b"ftyp", b"mdat"]
    assert boxes_at(served, b"moov/trak") == boxes_at(video.data, b"moov/trak")[:1]
    for frame in FRAMES:
        assert served.index(frame) == video.data.index(frame)
