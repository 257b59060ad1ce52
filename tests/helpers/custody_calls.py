"""The chain-of-custody operations as a console and a citizen app send them, and `phananh custody verify` as an
operator runs it, shared by the custody tests."""

from __future__ import annotations

import subprocess
from typing import Any

import httpx

from core.settings import Settings
from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data
from tests.helpers.media_calls import upload_multipart
from tests.helpers.media_files import photo
from tests.helpers.reports_api import report_input, submit
from tests.helpers.servers import BIN, run, server_env

CUSTODY = """
query($id: ID!) {
  report(id: $id) {
    code
    custody {
      intact firstBrokenLink originalsChecked
      brokenLink { seq kind mediaId problem }
      entries { seq kind createdAt hash previousHash detail actor { id } }
    }
  }
}
"""
RECEIPT = "query($id: ID!) { report(id: $id) { code receipt { document signature keyId algorithm } } }"
GENESIS = "0" * 64


async def uploaded_photo(client: httpx.AsyncClient, caller: Caller, shade: int = 0) -> tuple[str, bytes]:
    """A real photo through the multipart upload: checked, its SHA-256 fixed, its derivative made."""
    data = photo(size=(320 + shade, 240))
    response = await upload_multipart(client, caller.token, data, "image/jpeg")
    media = only_data(response.json())["uploadMedia"]
    assert media["status"] == "READY", media
    return str(media["id"]), data


async def report_with_photos(client: httpx.AsyncClient, caller: Caller, photos: int = 1) -> dict[str, Any]:
    """Submit a report with `photos` real photos; the answer's `mediaIds` and `originals` (id -> bytes) added."""
    originals = dict([await uploaded_photo(client, caller, shade) for shade in range(photos)])
    body = await submit(client, caller, report_input(sorted(originals)))
    report: dict[str, Any] = only_data(body)["submitReport"]
    return {**report, "originals": originals}


async def custody(client: httpx.AsyncClient, caller: Caller, report_id: str) -> dict[str, Any]:
    return await gql(client, CUSTODY, {"id": report_id}, caller.token)


def verify_cli(settings: Settings, code: str | None = None) -> subprocess.CompletedProcess[str]:
    """`phananh custody verify` in its own process, on this run's database and store."""
    env = {
        "DATABASE_URL": settings.database_url,
        "STORAGE_URL": settings.storage_url,
        "VAR_DIR": str(settings.var_dir),
    }
    if settings.s3_endpoint_url:
        env |= {
            "S3_ENDPOINT_URL": settings.s3_endpoint_url,
            "AWS_ACCESS_KEY_ID": settings.aws_access_key_id or "",
            "AWS_SECRET_ACCESS_KEY": settings.aws_secret_access_key or "",
            "AWS_REGION": settings.aws_region,
        }
    command = [str(BIN / "phananh"), "custody", "verify", *(["--report", code] if code else [])]
    return run(command, server_env(env))
