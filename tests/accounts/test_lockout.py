"""Failed sign-ins under attack, through GraphQL: bursts, spraying, and who an attacker can and cannot lock out.

Each client here has its own address (`client_for`), as requests from different networks would.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import auth.passwords
import services.accounts.signin
from core import clock
from core.settings import Settings
from models.enums import Role
from models.users import RefreshToken
from services.accounts.users import create_staff_user
from tests.helpers.auth_flows import LOGIN_WITH_OTP, LOGIN_WITH_PASSWORD, REQUEST_OTP, client_for, latest_code
from tests.helpers.environment import make_settings
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data

PASSWORD = "correct horse battery"
PHONE = "+84912000777"


async def _login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    return await gql(client, LOGIN_WITH_PASSWORD, {"u": username, "p": password})


def _client(settings: Settings, tmp_path: Path, address: str, **overrides: str) -> Any:
    return client_for(make_settings(settings.database_url, tmp_path, **overrides), address)


async def test_a_burst_of_guesses_cannot_outrun_the_lock(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 wrong passwords and then the right one, all at once: only LOGIN_MAX_FAILURES (5) passwords are checked at
    all, and the right one is refused (it used to sign in, ADMIN included: the lock was read before the slow hash)."""
    admin = await create_staff_user(username="chief", password=PASSWORD, role=Role.ADMIN)
    checked: list[str] = []

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password)
        return auth.passwords.verify_password(password_hash, password)

    monkeypatch.setattr(services.accounts.signin, "verify_password", spy)
    guesses = [_login(client, "chief", f"guess number {n}") for n in range(60)]
    *wrong, right = await asyncio.gather(*guesses, _login(client, "chief", PASSWORD))
    assert_refused(right, "RATE_LIMITED")
    assert 780 <= right["errors"][0]["extensions"]["retryAfterSeconds"] <= 900  # the window, less a slow burst
    assert sorted(error_codes(body)[0] for body in wrong) == ["RATE_LIMITED"] * 55 + ["UNAUTHENTICATED"] * 5
    assert len(checked) == 5
    assert PASSWORD not in checked
    assert not await RefreshToken.filter(user_id=admin.id).exists()


async def test_an_address_spraying_usernames_is_stopped(client: httpx.AsyncClient, settings: Settings) -> None:
    """40 usernames at once from one address: LOGIN_ADDRESS_MAX_FAILURES (20) are tried, the rest refused."""
    await create_staff_user(username="staff-7", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    bodies = await asyncio.gather(*(_login(client, f"staff-{n}", "Summer2024!") for n in range(40)))
    assert sorted(error_codes(body)[0] for body in bodies) == ["RATE_LIMITED"] * 20 + ["UNAUTHENTICATED"] * 20
    assert_refused(await _login(client, "staff-7", PASSWORD), "RATE_LIMITED")
    async with client_for(settings, "198.51.100.7") as elsewhere:
        assert only_data(await _login(elsewhere, "staff-7", PASSWORD))["loginWithPassword"]


async def test_one_address_cannot_lock_others_out(settings: Settings) -> None:
    await create_staff_user(username="officer-5", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    async with client_for(settings, "203.0.113.9") as attacker:
        for _ in range(5):
            assert_refused(await _login(attacker, "officer-5", "wrong password!"), "UNAUTHENTICATED")
        assert_refused(await _login(attacker, "officer-5", PASSWORD), "RATE_LIMITED")
    async with client_for(settings, "198.51.100.20") as office:
        assert only_data(await _login(office, "officer-5", PASSWORD))["loginWithPassword"]


async def test_an_ipv6_subscriber_counts_as_one_address(settings: Settings) -> None:
    """A subscriber holds a whole /64: moving inside it gives no fresh tries."""
    await create_staff_user(username="officer-6", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    for address, tries in (("2001:db8:1:2::1", 3), ("2001:db8:1:2::ffff", 2)):
        async with client_for(settings, address) as subscriber:
            for _ in range(tries):
                assert_refused(await _login(subscriber, "officer-6", "wrong password!"), "UNAUTHENTICATED")
    async with client_for(settings, "2001:db8:1:2:abcd::9") as same_network:
        assert_refused(await _login(same_network, "officer-6", PASSWORD), "RATE_LIMITED")
    async with client_for(settings, "2001:db8:1:3::1") as next_network:
        assert only_data(await _login(next_network, "officer-6", PASSWORD))["loginWithPassword"]


async def test_guessing_from_many_addresses_locks_strangers_out_but_not_known_addresses(
    settings: Settings, tmp_path: Path
) -> None:
    """LOGIN_ACCOUNT_MAX_FAILURES failures from anywhere lock the account for every address it never signed in from;
    the office, where it signed in before, still gets in."""
    limits = {"LOGIN_ACCOUNT_MAX_FAILURES": "10"}
    await create_staff_user(username="officer-4", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    async with _client(settings, tmp_path, "198.51.100.20", **limits) as office:
        assert only_data(await _login(office, "officer-4", PASSWORD))["loginWithPassword"]
    for address in ("203.0.113.1", "203.0.113.2"):
        async with _client(settings, tmp_path, address, **limits) as attacker:
            bodies = await asyncio.gather(*(_login(attacker, "officer-4", f"guess {n}") for n in range(5)))
            assert [error_codes(body) for body in bodies] == [["UNAUTHENTICATED"]] * 5
    async with _client(settings, tmp_path, "192.0.2.50", **limits) as stranger:
        body = await _login(stranger, "officer-4", PASSWORD)
        assert_refused(body, "RATE_LIMITED")
        assert 780 <= body["errors"][0]["extensions"]["retryAfterSeconds"] <= 900
    async with _client(settings, tmp_path, "198.51.100.20", **limits) as office:
        assert only_data(await _login(office, "officer-4", PASSWORD))["loginWithPassword"]


async def test_a_lock_ends_with_its_window(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await create_staff_user(username="officer-3", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    await asyncio.gather(*(_login(client, "officer-3", "wrong password!") for _ in range(5)))
    assert_refused(await _login(client, "officer-3", PASSWORD), "RATE_LIMITED")
    later = clock.now() + timedelta(seconds=900)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert only_data(await _login(client, "officer-3", PASSWORD))["loginWithPassword"]


async def test_wrong_codes_count_against_the_address(settings: Settings, tmp_path: Path) -> None:
    """Code sign-ins share the address's failures with passwords: past the limit even the right code waits."""
    limits = {"LOGIN_ADDRESS_MAX_FAILURES": "3"}
    async with _client(settings, tmp_path, "203.0.113.30", **limits) as guesser:
        only_data(await gql(guesser, REQUEST_OTP, {"p": PHONE}))
        code = await latest_code(guesser, PHONE)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(3):
            assert_refused(await gql(guesser, LOGIN_WITH_OTP, {"p": PHONE, "c": wrong}), "UNAUTHENTICATED")
        assert_refused(await gql(guesser, LOGIN_WITH_OTP, {"p": PHONE, "c": code}), "RATE_LIMITED")
    async with _client(settings, tmp_path, "198.51.100.30", **limits) as owner:
        assert only_data(await gql(owner, LOGIN_WITH_OTP, {"p": PHONE, "c": code}))["loginWithOtp"]
