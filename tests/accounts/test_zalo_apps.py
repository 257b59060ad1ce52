"""A Zalo user id belongs to the mini-app/OA that issued it (issue 19): `loginWithZalo(app:)` signs in to one app,
the identity is kept per app, clients that name no app keep signing in to the default one, and an unknown app is a
typed error."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from core.settings import Settings, SettingsError
from models.enums import IdentityProvider
from models.users import Identity, User
from tests.helpers.auth_flows import client_for, zalo_login
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.fake_http import JsonHandler, serving
from tests.helpers.graphql import assert_refused, gql, only_data

LOGIN = "mutation($t: String!, $app: String) { loginWithZalo(zaloAccessToken: $t, app: $app) { user { id } } }"


async def login(client: httpx.AsyncClient, token: str, app: str | None) -> dict[str, Any]:
    return await gql(client, LOGIN, {"t": token, "app": app})


async def test_the_same_zalo_id_in_two_apps_is_two_identities(client: httpx.AsyncClient) -> None:
    police = only_data(await login(client, "dev-zalo:123456", None))["loginWithZalo"]["user"]["id"]
    maintenance = only_data(await login(client, "dev-zalo:123456", "maintenance"))["loginWithZalo"]["user"]["id"]
    assert police != maintenance, "Zalo scopes user ids to an app: the same id in two apps is nobody in particular"
    again = only_data(await login(client, "dev-zalo:123456", "maintenance"))["loginWithZalo"]["user"]["id"]
    assert again == maintenance
    named_default = only_data(await login(client, "dev-zalo:123456", "default"))["loginWithZalo"]["user"]["id"]
    assert named_default == police == (await zalo_login(client, "123456"))["user"]["id"]
    rows = await Identity.filter(provider=IdentityProvider.ZALO, subject="123456").order_by("id").values_list("app")
    assert rows == [("",), ("maintenance",)], "the default app is stored as the empty key, as before"


async def test_an_unknown_app_is_a_typed_error(client: httpx.AsyncClient) -> None:
    body = await login(client, "dev-zalo:123457", "tourism")
    assert_refused(body, "BAD_USER_INPUT", field="app", reason="unknown_app")
    assert "maintenance" in body["errors"][0]["message"]
    assert_refused(await login(client, "dev-zalo:123457", "Tourism OA!"), "BAD_USER_INPUT", field="app")
    assert_refused(await login(client, "dev-zalo:123457", "x" * 31), "BAD_USER_INPUT", field="app")
    assert await User.all().count() == 0


class FakeZaloGraph(JsonHandler):
    """`GET /v2.0/me`: one user id per app, told apart by the appsecret_proof made with that app's secret."""

    secrets: ClassVar[dict[str, str]] = {"police-secret": "9001", "mt-secret": "7001"}

    def do_GET(self) -> None:
        token = self.headers.get("access_token", "")
        for secret, zalo_id in FakeZaloGraph.secrets.items():
            proof = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if self.headers.get("appsecret_proof") == proof:
                self.reply(200, {"id": zalo_id, "name": "Trần Văn Bình", "error": 0})
                return
        self.reply(200, {"error": 452, "message": "Access token is invalid"})


async def test_the_http_verifier_proves_each_app_with_its_own_secret(settings: Settings, tmp_path: Path) -> None:
    with serving(FakeZaloGraph) as url:
        custom = make_settings(
            settings.database_url,
            tmp_path,
            ZALO_VERIFIER="http",
            ZALO_API_URL=f"{url}/v2.0",
            ZALO_APP_SECRET="police-secret",
            ZALO_OA_MAINTENANCE_SECRET_KEY="mt-secret",
        )
        async with client_for(custom) as http:
            only_data(await login(http, "a-real-zalo-token", None))
            only_data(await login(http, "a-real-zalo-token", "maintenance"))
    found = await Identity.filter(provider=IdentityProvider.ZALO).order_by("id").values_list("app", "subject")
    assert found == [("", "9001"), ("maintenance", "7001")]


def test_oa_settings_come_from_the_environment_or_secret_files(tmp_path: Path) -> None:
    refresh = tmp_path / "mt_refresh"
    refresh.write_text("mt-refresh-token\n", encoding="utf-8")
    env = {
        **PRODUCTION_ENV,
        "ZALO_APP_ID": "police-app",
        "ZALO_APP_SECRET": "police-secret",
        "ZALO_OA_REFRESH_TOKEN": "police-refresh-token",
        "ZALO_OAS": "maintenance",
        "ZALO_OA_MAINTENANCE_APP_ID": "mt-app",
        "ZALO_OA_MAINTENANCE_SECRET_KEY": "mt-secret",
        "ZALO_OA_MAINTENANCE_REFRESH_TOKEN_FILE": str(refresh),
        "VAR_DIR": str(tmp_path),
    }
    settings = Settings.from_env(env)
    assert settings.notifier == "zalo-oa", "a refresh token is enough to send in production"
    default, maintenance = settings.zalo_accounts
    assert (default.key, default.app_id, default.refresh_token) == ("default", "police-app", "police-refresh-token")
    assert (maintenance.key, maintenance.app_id) == ("maintenance", "mt-app")
    assert maintenance.refresh_token == "mt-refresh-token"
    secrets = ("police-secret", "police-refresh-token", "mt-secret", "mt-refresh-token", settings.zalo_oa_token_key)
    for secret in secrets:
        assert secret not in repr(settings)
    assert Settings.from_env(PRODUCTION_ENV).zalo_oas == (), "production has no demo OA"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ZALO_OAS": "Maintenance Board"}, "Zalo OA key"),
        ({"ZALO_OAS": "maintenance,maintenance"}, "names an OA twice"),
        ({"ZALO_DEFAULT_OA": "maintenance"}, "names an OA twice"),
        ({"ZALO_OAS": "maintenance", "ZALO_OA_MAINTENANCE_REFRESH_TOKEN": "r"}, "needs its app id and secret key"),
        ({"ZALO_OA_TOKEN_KEY": "short"}, "ZALO_OA_TOKEN_KEY"),
        ({"ZALO_OAUTH_URL": "ftp://zalo"}, "ZALO_OAUTH_URL"),
    ],
)
def test_settings_refuse_oa_setups_that_cannot_work(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"JWT_SECRET": "p" * 48, "SESSION_SECRET": "q" * 48, **overrides})
