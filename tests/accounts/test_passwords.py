"""Staff passwords through GraphQL: the CLI's accounts sign in, refusals say nothing about accounts, lockout."""

from __future__ import annotations

import httpx
import pytest

import auth.passwords
import services.accounts.signin
from core.settings import Settings
from models.enums import Role
from models.users import User
from services.accounts.users import create_staff_user
from tests.helpers.auth_flows import LOGIN_WITH_PASSWORD, run_cli
from tests.helpers.graphql import assert_refused, gql, only_data

PASSWORD = "correct horse battery"


async def _login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, object]:
    return await gql(client, LOGIN_WITH_PASSWORD, {"u": username, "p": password})


async def test_an_account_made_by_the_cli_signs_in(client: httpx.AsyncClient, settings: Settings) -> None:
    env = {"APP_ENV": "test", "DATABASE_URL": settings.database_url, "VAR_DIR": str(settings.var_dir)}
    status, stdout, stderr = await run_cli(
        "create-user", "--username", "Le.Van.An", "--password", PASSWORD, "--role", "OFFICER", "--agency", "PC08",
        env=env,
    )  # fmt: skip
    assert status == 0, stderr
    assert "created OFFICER le.van.an" in stdout
    payload = only_data(await _login(client, " LE.VAN.AN ", PASSWORD))["loginWithPassword"]
    assert payload["user"]["role"] == "OFFICER"
    me = only_data(await gql(client, "{ me { username agency { code } } }", token=payload["accessToken"]))["me"]
    assert me == {"username": "le.van.an", "agency": {"code": "PC08"}}


async def test_refusals_read_the_same_whether_or_not_the_account_exists(client: httpx.AsyncClient) -> None:
    await create_staff_user(username="admin-1", password=PASSWORD, role=Role.ADMIN)
    citizen = await User.create(role=Role.CITIZEN, username="citizen-1")  # no password: never signs in this way
    wrong = await _login(client, "admin-1", "wrong password!")
    unknown = await _login(client, "nobody-here", PASSWORD)
    no_password = await _login(client, citizen.username or "", PASSWORD)
    assert wrong["errors"] == unknown["errors"] == no_password["errors"]
    assert_refused(wrong, "UNAUTHENTICATED")


async def test_an_unknown_username_still_costs_a_verification(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_staff_user(username="admin-2", password=PASSWORD, role=Role.ADMIN)
    calls: list[str] = []

    def spy(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return auth.passwords.verify_password(password_hash, password)

    monkeypatch.setattr(services.accounts.signin, "verify_password", spy)
    await _login(client, "admin-2", "wrong password!")
    await _login(client, "nobody-here", "wrong password!")
    assert len(calls) == 2
    assert calls[1] == auth.passwords.dummy_hash()
    assert calls[0].startswith("$argon2id$")


async def test_repeated_failures_lock_the_account(client: httpx.AsyncClient) -> None:
    """Locked, even the right password is RATE_LIMITED; an unknown username locks the same way, so the refusal
    still says nothing about which accounts exist."""
    await create_staff_user(username="officer-9", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    for username in ("officer-9", "nobody-here"):
        for _ in range(5):
            assert_refused(await _login(client, username, "wrong password!"), "UNAUTHENTICATED")
    locked = await _login(client, "officer-9", PASSWORD)
    assert_refused(locked, "RATE_LIMITED")
    assert 890 <= locked["errors"][0]["extensions"]["retryAfterSeconds"] <= 900
    unknown = await _login(client, "nobody-here", PASSWORD)
    assert_refused(unknown, "RATE_LIMITED")
    assert unknown["errors"][0]["message"] == locked["errors"][0]["message"]


async def test_a_success_resets_the_failure_count(client: httpx.AsyncClient) -> None:
    await create_staff_user(username="officer-8", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    for _ in range(4):
        await _login(client, "officer-8", "wrong password!")
    only_data(await _login(client, "officer-8", PASSWORD))
    for _ in range(4):
        await _login(client, "officer-8", "wrong password!")
    assert only_data(await _login(client, "officer-8", PASSWORD))["loginWithPassword"]


async def test_a_deactivated_account_cannot_sign_in(client: httpx.AsyncClient) -> None:
    user = await create_staff_user(username="admin-3", password=PASSWORD, role=Role.ADMIN)
    await User.filter(id=user.id).update(is_active=False)
    assert_refused(await _login(client, "admin-3", PASSWORD), "UNAUTHENTICATED")
