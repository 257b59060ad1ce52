"""Fixtures for the media tests: one app per store (local disk, and S3 served by moto on 127.0.0.1).

Test modules import the fixtures they use from here; `media_app` is parametrised, so every test that takes it runs
once per store.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from api.app import create_app, open_clients
from core.settings import Settings
from services.media.storage import Storage
from tests.helpers.environment import make_settings

BUCKET = "phananh-evidence"
PUBLIC_URL = "http://127.0.0.1:8000"
# Small limits keep the oversize cases cheap.
LIMITS = {
    "MAX_PHOTO_BYTES": str(2_000_000),
    "MAX_VIDEO_BYTES": str(3_000_000),
    "MAX_REQUEST_BYTES": str(2_500_000),
    "PUBLIC_URL": PUBLIC_URL,
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real S3 protocol server (moto) on 127.0.0.1, with the evidence bucket created."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@dataclass
class MediaEnv:
    kind: str
    app: Any
    settings: Settings
    storage: Storage


@asynccontextmanager
async def _open_env(kind: str, settings: Settings) -> AsyncIterator[MediaEnv]:
    app = create_app(settings)
    async with open_clients(app, settings, workers=False):
        yield MediaEnv(kind, app, settings, app.state.storage)


@pytest.fixture(scope="session", params=["local", "s3"])
async def media_env(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[MediaEnv]:
    var_dir: Path = tmp_path_factory.mktemp(f"media-{request.param}")
    overrides = dict(LIMITS)
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        overrides |= {
            "STORAGE_URL": f"s3://{BUCKET}",
            "S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1",
        }
    async with _open_env(request.param, make_settings(database_url, var_dir, **overrides)) as env:
        yield env


@pytest.fixture(scope="session")
async def local_env(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MediaEnv]:
    """Local storage only, for what exists only there (our upload and download endpoints) and for edge limits."""
    settings = make_settings(database_url, tmp_path_factory.mktemp("media-local-only"), **LIMITS)
    async with _open_env("local", settings) as env:
        yield env


def client_for(env: MediaEnv) -> httpx.AsyncClient:
    """Talks to our app for PUBLIC_URL (GraphQL and the local store) and over real HTTP to moto on 127.0.0.1."""
    return httpx.AsyncClient(base_url=PUBLIC_URL, mounts={PUBLIC_URL: httpx.ASGITransport(app=env.app)})


@pytest.fixture
async def media_client(media_env: MediaEnv) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(media_env) as http:
        yield http


@pytest.fixture
async def local_client(local_env: MediaEnv) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(local_env) as http:
        yield http
