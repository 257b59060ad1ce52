"""Sign-in documents and flows shared by the auth tests, written the way a frontend calls them."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app, open_clients
from core.settings import Settings
from tests.helpers.graphql import gql, only_data


@asynccontextmanager
async def client_for(settings: Settings, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built on other settings (same database), its store and event bus opened as the lifespan
    would."""
    async with clients_for(settings, address) as (http,):
        yield http


@asynccontextmanager
async def clients_for(settings: Settings, *addresses: str) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """Clients of one such app, each calling from its own address."""
    app = create_app(settings)
    async with open_clients(app, settings, workers=False), AsyncExitStack() as stack:
        yield tuple(
            [
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://testserver"
                    )
                )
                for address in addresses
            ]
        )


PAYLOAD = "accessToken refreshToken expiresIn user { id role }"
LOGIN_WITH_ZALO = f"mutation($t: String!) {{ loginWithZalo(zaloAccessToken: $t) {{ {PAYLOAD} }} }}"
REQUEST_OTP = "mutation($p: String!) { requestOtp(phone: $p) { phone expiresAt resendAfter } }"
LOGIN_WITH_OTP = f"mutation($p: String!, $c: String!) {{ loginWithOtp(phone: $p, code: $c) {{ {PAYLOAD} }} }}"
LOGIN_WITH_PASSWORD = (
    f"mutation($u: String!, $p: String!) {{ loginWithPassword(username: $u, password: $p) {{ {PAYLOAD} }} }}"
)
REFRESH = f"mutation($r: String!) {{ refreshSession(refreshToken: $r) {{ {PAYLOAD} }} }}"
LOGOUT = "mutation($r: String!) { logout(refreshToken: $r) }"
ME = "{ me { id role } }"


async def zalo_login(client: httpx.AsyncClient, zalo_id: str, phone: str | None = None) -> dict[str, Any]:
    token = f"dev-zalo:{zalo_id}" + (f":{phone}" if phone else "")
    payload: dict[str, Any] = only_data(await gql(client, LOGIN_WITH_ZALO, {"t": token}))["loginWithZalo"]
    return payload


async def latest_code(client: httpx.AsyncClient, phone: str) -> str:
    """What a developer does: read the dev outbox over HTTP."""
    response = await client.get("/dev/outbox", params={"phone": phone, "limit": 1})
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert messages, f"no code was sent to {phone}"
    code: str = messages[0]["code"]
    return code


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the `phananh` console script as an operator would, with its own process and database connection."""
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "phananh"),
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, stdout.decode(), stderr.decode()
