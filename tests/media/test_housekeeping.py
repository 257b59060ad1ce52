"""Batched reads of media, and the cleanup command that removes uploads no report ever used."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from models.media import Media
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.media_calls import upload_multipart
from tests.helpers.media_env import MediaEnv
from tests.helpers.media_files import photo

MANY_MEDIA = """
query Many($a: ID!, $b: ID!, $c: ID!) {
  a: media(id: $a) { id status } b: media(id: $b) { id status } c: media(id: $c) { id status }
}
"""


async def _uploaded(client: httpx.AsyncClient, caller: Caller) -> Media:
    response = await upload_multipart(client, caller.token, photo(size=(24, 24)), "image/jpeg")
    return await Media.get(id=only_data(response.json())["uploadMedia"]["id"])


async def test_media_reads_are_batched_into_one_query(
    local_client: httpx.AsyncClient, citizen: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [str((await _uploaded(local_client, citizen)).id) for _ in range(3)]
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        data = only_data(await gql(local_client, MANY_MEDIA, dict(zip("abc", ids, strict=True)), citizen.token))
    assert [data[k]["id"] for k in "abc"] == ids
    media_queries = [r for r in caplog.records if 'FROM "media"' in r.getMessage()]
    assert len(media_queries) == 1


async def _attach_to_report(media: Media, reporter: Caller) -> None:
    media.report = await make_report(reporter.user)
    await media.save(update_fields=["report_id"])


async def test_cleanup_removes_only_old_unattached_uploads(
    local_client: httpx.AsyncClient, local_env: MediaEnv, citizen: Caller
) -> None:
    old, young, attached = [await _uploaded(local_client, citizen) for _ in range(3)]
    await _attach_to_report(attached, citizen)
    long_ago = datetime.now(UTC) - timedelta(hours=30)
    await Media.filter(id__in=[old.id, attached.id]).update(created_at=long_ago)

    settings = local_env.settings
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "STORAGE_URL": settings.storage_url,
    }
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("phananh")),
        "media-cleanup",
        "--older-than-hours",
        "24",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert "removed 1 unattached upload" in stdout.decode()

    assert sorted(str(m.id) for m in await Media.all()) == sorted([str(young.id), str(attached.id)])
    for key in (old.object_key, old.derivative_key, old.thumbnail_key):
        assert key is not None
        assert await local_env.storage.size(key) is None
    assert await local_env.storage.size(young.object_key) is not None
    assert await local_env.storage.size(attached.object_key) is not None
