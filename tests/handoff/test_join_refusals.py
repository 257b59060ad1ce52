"""What joining two accounts refuses, each with its own code and reason, and that a refusal joins nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from models.handoff import Handoff
from models.users import AccountJoin, User
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.handoff_calls import (
    CREATE_JOIN_OFFER,
    MY_REPORTS,
    city_app_caller,
    confirm_join,
    create_handoff,
    join_offer_link,
    my_report_ids,
    redeem,
    redeem_offer,
    sign_in_code,
    token_of,
    zalo_caller,
)
from tests.helpers.reports_api import submitted

PHONE = "0944000001"


async def _nothing_joined() -> None:
    assert await AccountJoin.all().count() == 0
    assert await User.filter(merged_into_id__isnull=False).count() == 0


async def test_confirming_needs_an_offer_a_redemption_and_the_redeemer(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-refuse-1")
    city = await city_app_caller(client, PHONE)
    zalo_id = str(zalo.user.id)
    assert_refused(await confirm_join(client, city, "forged-token", zalo_id), "NOT_FOUND", reason="unknown")

    plain = token_of(only_data(await create_handoff(client, zalo, None))["createHandoff"]["url"])
    assert only_data(await redeem_offer(client, city, plain))["redeemHandoff"]["joinOffer"] is None
    assert_refused(await confirm_join(client, city, plain, zalo_id), "CONFLICT", reason="no_join_offered")

    offered = await join_offer_link(client, zalo, PHONE)
    assert_refused(await confirm_join(client, city, offered, zalo_id), "CONFLICT", reason="not_redeemed")
    stranger = await city_app_caller(client, "0944000002")
    only_data(await redeem_offer(client, stranger, offered))
    assert_refused(await confirm_join(client, city, offered, zalo_id), "FORBIDDEN", reason="not_redeemer")
    await _nothing_joined()


async def test_confirming_names_the_offered_account_in_time(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-refuse-2")
    other = await zalo_caller(client, "zl-refuse-2-other")
    city = await city_app_caller(client, PHONE)
    token = await join_offer_link(client, zalo, PHONE)
    offer = only_data(await redeem_offer(client, city, token))["redeemHandoff"]["joinOffer"]

    for wrong in (str(other.user.id), str(city.user.id), "not-an-id"):
        body = await confirm_join(client, city, token, wrong)
        assert_refused(body, "BAD_USER_INPUT", field="zaloAccountId")
    await Handoff.all().update(redeemed_at=datetime.now(UTC) - timedelta(hours=1))
    body = await confirm_join(client, city, token, offer["zaloAccountId"])
    assert_refused(body, "CONFLICT", reason="expired", field="token")
    await _nothing_joined()


async def test_your_own_link_joins_nothing(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-refuse-3")
    token = await join_offer_link(client, zalo, PHONE)
    offer = only_data(await redeem_offer(client, zalo, token))["redeemHandoff"]["joinOffer"]
    assert (offer["status"], offer["zaloAccountId"]) == ("SAME_ACCOUNT", None)
    body = await confirm_join(client, zalo, token, str(zalo.user.id))
    assert_refused(body, "CONFLICT", reason="same_account")
    await _nothing_joined()


async def test_a_leaked_offer_is_useless_to_whoever_finds_it(client: httpx.AsyncClient) -> None:
    """Someone photographs the QR code of a citizen's join offer and opens it first: they get the draft (a link is
    a bearer token for its draft), but neither the citizen's name nor a join, and the citizen's accounts are untouched.
    """
    owner = await zalo_caller(client, "zl-leak")
    owners_report = await submitted(client, owner)
    finder = await city_app_caller(client, "0944000003")
    token = await join_offer_link(client, owner, PHONE)
    offer = only_data(await redeem_offer(client, finder, token))["redeemHandoff"]["joinOffer"]
    assert (offer["status"], offer["zaloAccountId"], offer["zaloName"]) == ("PHONE_MISMATCH", None, None)
    body = await confirm_join(client, finder, token, str(owner.user.id))
    assert_refused(body, "FORBIDDEN", reason="phone_mismatch")
    assert my_report_ids(await gql(client, MY_REPORTS, {}, finder.token)) == set()
    assert my_report_ids(await gql(client, MY_REPORTS, {}, owner.token)) == {owners_report["id"]}
    await _nothing_joined()


async def test_a_zalo_account_proves_the_phone_it_offers(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-refuse-4")

    async def offer(phone: str, code: str) -> dict[str, Any]:
        return await gql(client, CREATE_JOIN_OFFER, {"draft": None, "phone": phone, "code": code}, zalo.token)

    assert_refused(await offer("12345", "123456"), "BAD_USER_INPUT", field="joinPhone.phone")
    sent = await sign_in_code(client, PHONE)
    assert_refused(await offer(PHONE, _wrong(sent)), "BAD_USER_INPUT", field="joinPhone.code", reason="invalid_code")
    only_data(await offer(PHONE, sent))
    assert await Handoff.filter(join_phone="+84944000001").count() == 1

    sent = await sign_in_code(client, PHONE)
    for _ in range(5):
        assert_refused(await offer(PHONE, _wrong(sent)), "BAD_USER_INPUT", reason="invalid_code")
    assert_refused(await offer(PHONE, sent), "BAD_USER_INPUT", field="joinPhone.code", reason="too_many_attempts")
    assert await Handoff.all().count() == 1


async def test_confirming_again_answers_the_same_join_and_racing_joins_once(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-refuse-5")
    city = await city_app_caller(client, PHONE)
    token = await join_offer_link(client, zalo, PHONE)
    only_data(await redeem(client, city, token))
    bodies = await asyncio.gather(*(confirm_join(client, city, token, str(zalo.user.id)) for _ in range(4)))
    assert {code for body in bodies for code in error_codes(body)} <= {"CONFLICT"}
    assert await AccountJoin.all().count() == 1
    join = await AccountJoin.get()
    retried = only_data(await confirm_join(client, city, token, str(zalo.user.id)))["confirmAccountJoin"]
    assert retried["id"] == str(join.id)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
