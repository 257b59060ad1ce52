"""The handoff tests' client: the suite's app, except that a sign-in code may be asked for again at once, because
one person here proves the same phone twice (in the city app, and in Zalo when offering to join accounts)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app, open_clients
from core.settings import Settings


@pytest.fixture(scope="session")
async def handoff_app(settings: Settings) -> AsyncIterator[Any]:
    quick = dataclasses.replace(settings, otp_resend_seconds=0)
    application = create_app(quick)
    async with open_clients(application, quick, workers=False):
        yield application


@pytest.fixture
async def client(handoff_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=handoff_app), base_url="http://testserver") as http:
        yield http
