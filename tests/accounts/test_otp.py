"""Phone sign-in codes through GraphQL: normalisation, the dev outbox, expiry, attempts and rate limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.phones import normalise_phone
from auth.providers.otp import hash_code
from core.errors import InvalidInput
from core.settings import Settings
from models.enums import IdentityProvider
from models.users import Identity, OtpChallenge, User
from tests.helpers.auth_flows import LOGIN_WITH_OTP, ME, REQUEST_OTP, client_for, latest_code, run_cli
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data

PHONE = "+84912000111"


@pytest.mark.parametrize("raw", ["0912000111", "+84912000111", "84912000111", "0912 000 111", "091-200-0111"])
def test_vietnamese_mobiles_have_one_canonical_form(raw: str) -> None:
    assert normalise_phone(raw) == PHONE


@pytest.mark.parametrize("raw", ["", "912000111", "0241234567", "01681234567", "+8491200011", "+1 650 555 0100"])
def test_non_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_phone(raw)
    assert refused.value.extensions["field"] == "phone"


async def test_sign_in_with_a_code_from_the_outbox(client: httpx.AsyncClient, settings: Settings) -> None:
    sent = only_data(await gql(client, REQUEST_OTP, {"p": "0912000111"}))["requestOtp"]
    assert sent["phone"] == PHONE
    expires = datetime.fromisoformat(sent["expiresAt"])
    resend = datetime.fromisoformat(sent["resendAfter"])
    assert timedelta(seconds=295) < expires - datetime.now(UTC) <= timedelta(seconds=300)
    assert resend < expires
    challenge = await OtpChallenge.get(phone=PHONE)
    code = await latest_code(client, "84912000111")
    assert len(code) == 6
    assert code.isdigit()
    assert challenge.code_hash == hash_code(settings.session_secret, PHONE, code)

    payload = only_data(await gql(client, LOGIN_WITH_OTP, {"p": "+84 912 000 111", "c": code}))["loginWithOtp"]
    assert payload["user"]["role"] == "CITIZEN"
    assert only_data(await gql(client, ME, token=payload["accessToken"]))["me"]["id"] == payload["user"]["id"]
    assert await Identity.filter(provider=IdentityProvider.PHONE, subject=PHONE).count() == 1
    # A code works once.
    assert_refused(await gql(client, LOGIN_WITH_OTP, {"p": PHONE, "c": code}), "UNAUTHENTICATED")


async def test_invalid_phone_is_bad_user_input(client: httpx.AsyncClient) -> None:
    for document, variables in ((REQUEST_OTP, {"p": "0241234567"}), (LOGIN_WITH_OTP, {"p": "12", "c": "123456"})):
        body = await gql(client, document, variables)
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == "phone"
    assert await OtpChallenge.all().count() == 0


async def test_an_expired_code_is_refused(client: httpx.AsyncClient) -> None:
    only_data(await gql(client, REQUEST_OTP, {"p": PHONE}))
    code = await latest_code(client, PHONE)
    await OtpChallenge.filter(phone=PHONE).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_refused(await gql(client, LOGIN_WITH_OTP, {"p": PHONE, "c": code}), "UNAUTHENTICATED")
    assert await User.all().count() == 0


async def test_five_wrong_codes_spend_the_code(client: httpx.AsyncClient) -> None:
    only_data(await gql(client, REQUEST_OTP, {"p": PHONE}))
    code = await latest_code(client, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert_refused(await gql(client, LOGIN_WITH_OTP, {"p": PHONE, "c": wrong}), "UNAUTHENTICATED")
    body = await gql(client, LOGIN_WITH_OTP, {"p": PHONE, "c": code})
    assert_refused(body, "UNAUTHENTICATED")
    assert body["errors"][0]["extensions"]["reason"] == "too_many_attempts"
    assert (await OtpChallenge.get(phone=PHONE)).attempts == 5


async def test_a_new_code_supersedes_the_old_one(settings: Settings, tmp_path: Path) -> None:
    async with _client(settings, tmp_path, OTP_RESEND_SECONDS="0") as client:
        only_data(await gql(client, REQUEST_OTP, {"p": PHONE}))
        old = await latest_code(client, PHONE)
        only_data(await gql(client, REQUEST_OTP, {"p": PHONE}))
        new = await latest_code(client, PHONE)
        if old != new:
            assert_refused(await gql(client, LOGIN_WITH_OTP, {"p": PHONE, "c": old}), "UNAUTHENTICATED")
        assert only_data(await gql(client, LOGIN_WITH_OTP, {"p": PHONE, "c": new}))["loginWithOtp"]


async def test_resend_is_rate_limited_per_phone(client: httpx.AsyncClient) -> None:
    only_data(await gql(client, REQUEST_OTP, {"p": PHONE}))
    body = await gql(client, REQUEST_OTP, {"p": "0912000111"})
    assert_refused(body, "RATE_LIMITED")
    assert 55 <= body["errors"][0]["extensions"]["retryAfterSeconds"] <= 60


async def test_hourly_limits_per_phone_and_per_address(settings: Settings, tmp_path: Path) -> None:
    limits = {"OTP_RESEND_SECONDS": "0", "OTP_PHONE_LIMIT_PER_HOUR": "2", "OTP_ADDRESS_LIMIT_PER_HOUR": "3"}
    async with _client(settings, tmp_path, **limits) as client:
        for _ in range(2):
            only_data(await gql(client, REQUEST_OTP, {"p": PHONE}))
        body = await gql(client, REQUEST_OTP, {"p": PHONE})
        assert_refused(body, "RATE_LIMITED")
        assert 3590 <= body["errors"][0]["extensions"]["retryAfterSeconds"] <= 3600
        only_data(await gql(client, REQUEST_OTP, {"p": "0912000222"}))
        assert_refused(await gql(client, REQUEST_OTP, {"p": "0912000333"}), "RATE_LIMITED")
    async with _client(settings, tmp_path, address="10.1.2.3", **limits) as elsewhere:
        only_data(await gql(elsewhere, REQUEST_OTP, {"p": "0912000333"}))
    assert await OtpChallenge.all().count() == 4


async def test_simultaneous_requests_for_one_phone_send_one_code(client: httpx.AsyncClient) -> None:
    """20 at once used to send 20 SMS: every request counted the codes before any had been written."""
    bodies = await asyncio.gather(*(gql(client, REQUEST_OTP, {"p": "0912000555"}) for _ in range(20)))
    assert sorted(error_codes(body) for body in bodies) == [[]] + [["RATE_LIMITED"]] * 19
    outbox = await client.get("/dev/outbox", params={"phone": "+84912000555", "limit": 100})
    assert len(outbox.json()["messages"]) == 1
    assert await OtpChallenge.filter(phone="+84912000555").count() == 1


async def test_simultaneous_phones_from_one_address_stop_at_the_limit(client: httpx.AsyncClient) -> None:
    """40 phones at once from one address: exactly OTP_ADDRESS_LIMIT_PER_HOUR (20) codes are sent."""
    phones = [f"09130010{n:02d}" for n in range(40)]
    bodies = await asyncio.gather(*(gql(client, REQUEST_OTP, {"p": phone}) for phone in phones))
    assert sorted(error_codes(body) for body in bodies) == [[]] * 20 + [["RATE_LIMITED"]] * 20
    assert await OtpChallenge.filter(phone__startswith="+8491300").count() == 20


async def test_the_outbox_cli_prints_the_code(client: httpx.AsyncClient, settings: Settings) -> None:
    only_data(await gql(client, REQUEST_OTP, {"p": "0912000444"}))
    code = await latest_code(client, "0912000444")
    env = {"APP_ENV": "test", "DATABASE_URL": settings.database_url, "VAR_DIR": str(settings.var_dir)}
    status, stdout, _ = await run_cli("outbox", "--phone", "0912000444", env=env)
    assert status == 0
    assert f"+84912000444  code {code}" in stdout


async def test_production_has_no_dev_outbox_route(settings: Settings, tmp_path: Path) -> None:
    production = make_settings(settings.database_url, tmp_path, **PRODUCTION_ENV)
    async with client_for(production) as client:
        assert (await client.get("/dev/outbox")).status_code == 404
        body = await gql(client, REQUEST_OTP, {"p": PHONE})
    assert_refused(body, "FORBIDDEN")
    assert body["errors"][0]["extensions"]["reason"] == "otp_disabled"


def _client(settings: Settings, tmp_path: Path, address: str = "127.0.0.1", **overrides: str) -> Any:
    return client_for(make_settings(settings.database_url, tmp_path, **overrides), address)
