"""Zalo sign-in: the dev verifier, the HTTP verifier against a local stand-in for Zalo's Graph API, and the rule
that a Zalo login never merges into the account of the same phone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings, SettingsError
from models.enums import IdentityProvider
from models.users import Identity, User
from tests.helpers.auth_flows import LOGIN_WITH_ZALO, ME, client_for, zalo_login
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.fake_http import JsonHandler, serving
from tests.helpers.graphql import assert_refused, gql, only_data

GOOD_TOKEN = "zalo-access-token-of-lan"


async def test_first_sign_in_creates_a_citizen_and_the_next_finds_it(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "84001", phone="0912 345 678")
    assert first["user"]["role"] == "CITIZEN"
    again = await zalo_login(client, "84001")
    assert again["user"]["id"] == first["user"]["id"]
    user = await User.get(id=first["user"]["id"])
    assert user.phone == "+84912345678"
    assert await Identity.filter(provider=IdentityProvider.ZALO, subject="84001").count() == 1
    assert only_data(await gql(client, ME, token=again["accessToken"]))["me"]["id"] == first["user"]["id"]


async def test_a_zalo_phone_does_not_merge_with_the_phone_account(client: httpx.AsyncClient) -> None:
    phone_citizen = await User.create(role="CITIZEN", phone="+84987654321")
    await Identity.create(user=phone_citizen, provider=IdentityProvider.PHONE, subject="+84987654321")
    zalo = await zalo_login(client, "84002", phone="0987654321")
    assert zalo["user"]["id"] != str(phone_citizen.id)


async def test_bad_dev_tokens_are_refused(client: httpx.AsyncClient) -> None:
    for token in ("", "84001", "dev-zalo:", "dev-zalo:a b", "dev-zalo:x:y:z", "Bearer dev-zalo:1"):
        assert_refused(await gql(client, LOGIN_WITH_ZALO, {"t": token}), "UNAUTHENTICATED")
    body = await gql(client, LOGIN_WITH_ZALO, {"t": "dev-zalo:84003:0241234567"})
    assert_refused(body, "BAD_USER_INPUT")
    assert body["errors"][0]["extensions"]["field"] == "phone"
    assert await User.all().count() == 0


class FakeZaloGraph(JsonHandler):
    """Answers like Zalo's `GET /v2.0/me`: an error object with HTTP 200 for an unknown token."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        FakeZaloGraph.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        if self.path.startswith("/v2.0/me") and self.headers.get("access_token") == GOOD_TOKEN:
            body: dict[str, Any] = {"id": "5550001", "name": "Nguyễn Thị Lan", "error": 0, "message": "Success"}
        else:
            body = {"error": 452, "message": "Access token is invalid"}
        self.reply(200, body)


@pytest.fixture
def zalo_server() -> Iterator[str]:
    FakeZaloGraph.seen.clear()
    with serving(FakeZaloGraph) as url:
        yield f"{url}/v2.0"


@pytest.fixture
async def http_zalo_client(settings: Settings, zalo_server: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    custom = make_settings(
        settings.database_url, tmp_path, ZALO_VERIFIER="http", ZALO_API_URL=zalo_server, ZALO_APP_SECRET="s3cret"
    )
    async with client_for(custom) as http:
        yield http


async def test_the_http_verifier_asks_zalo(http_zalo_client: httpx.AsyncClient) -> None:
    payload = only_data(await gql(http_zalo_client, LOGIN_WITH_ZALO, {"t": GOOD_TOKEN}))["loginWithZalo"]
    user = await User.get(id=payload["user"]["id"])
    assert user.full_name == "Nguyễn Thị Lan"
    assert await Identity.filter(user=user, provider=IdentityProvider.ZALO, subject="5550001").exists()
    request = FakeZaloGraph.seen[-1]
    assert request["path"] == "/v2.0/me?fields=id%2Cname"
    assert len(request["appsecret_proof"]) == 64


async def test_the_http_verifier_refuses_what_zalo_refuses(http_zalo_client: httpx.AsyncClient) -> None:
    for token in ("stolen-or-expired", "dev-zalo:84001"):
        body = await gql(http_zalo_client, LOGIN_WITH_ZALO, {"t": token})
        assert_refused(body, "UNAUTHENTICATED")
    assert FakeZaloGraph.seen[-1]["access_token"] == "stolen-or-expired"  # the dev form never left the server
    assert len(FakeZaloGraph.seen) == 1
    assert await User.all().count() == 0


async def test_an_unreachable_zalo_is_unauthenticated_not_internal(settings: Settings, tmp_path: Path) -> None:
    custom = make_settings(settings.database_url, tmp_path, ZALO_VERIFIER="http", ZALO_API_URL="http://127.0.0.1:9")
    async with client_for(custom) as http:
        body = await gql(http, LOGIN_WITH_ZALO, {"t": GOOD_TOKEN})
    assert_refused(body, "UNAUTHENTICATED")
    assert body["errors"][0]["extensions"]["reason"] == "provider_unavailable"


def test_production_refuses_the_dev_shortcuts(tmp_path: Path) -> None:
    base = {**PRODUCTION_ENV, "VAR_DIR": str(tmp_path)}
    assert Settings.from_env(base).zalo_verifier == "http"
    assert Settings.from_env(base).otp_sender == "disabled"
    with pytest.raises(SettingsError, match="ZALO_VERIFIER=dev"):
        Settings.from_env({**base, "ZALO_VERIFIER": "dev"})
    with pytest.raises(SettingsError, match="OTP_SENDER=outbox"):
        Settings.from_env({**base, "OTP_SENDER": "outbox"})
    without = {k: v for k, v in base.items() if k != "SESSION_SECRET"}
    derived = Settings.from_env(without).session_secret
    assert len(derived) == 64
    assert derived not in (without["JWT_SECRET"], Settings.from_env(base).session_secret)
    keys = _key_files(tmp_path)
    with pytest.raises(SettingsError, match="SESSION_SECRET"):
        Settings.from_env({**without, "JWT_ALGORITHM": "EdDSA", "MEDIA_SIGNING_SECRET": "m" * 40, **keys})
    assert (
        Settings.from_env({**base, "JWT_ALGORITHM": "EdDSA", "MEDIA_SIGNING_SECRET": "m" * 40, **keys}).session_secret
        == "q" * 48
    )


def _key_files(directory: Path) -> dict[str, str]:
    (directory / "private.pem").write_text("not read by settings")
    (directory / "public.pem").write_text("not read by settings")
    return {
        "JWT_PRIVATE_KEY_FILE": str(directory / "private.pem"),
        "JWT_PUBLIC_KEY_FILE": str(directory / "public.pem"),
    }


async def test_a_deactivated_citizen_cannot_sign_in_again(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "84004")
    await User.filter(id=first["user"]["id"]).update(is_active=False)
    body = await gql(client, LOGIN_WITH_ZALO, {"t": "dev-zalo:84004"})
    assert_refused(body, "UNAUTHENTICATED")
    assert body["errors"][0]["extensions"]["reason"] == "inactive"
    assert await User.all().count() == 1
