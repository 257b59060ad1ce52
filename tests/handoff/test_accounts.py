"""One citizen, several channels: what joining two accounts on redemption moves, and what it refuses to join."""

from __future__ import annotations

import httpx

from auth.tokens import TokenCodec
from core.settings import Settings
from models.enums import Channel
from models.handoff import Handoff
from models.reports import IdempotencyKey
from models.users import User
from services.accounts.sessions import start_session
from tests.helpers.auth_flows import REFRESH
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.handoff_calls import (
    MY_REPORTS,
    city_app_caller,
    create_handoff,
    my_report_ids,
    redeem,
    token_of,
    zalo_caller,
)


async def _link(client: httpx.AsyncClient, zalo: Caller, city: Caller) -> None:
    token = token_of(only_data(await create_handoff(client, zalo, None))["createHandoff"]["url"])
    only_data(await redeem(client, city, token))


async def test_sessions_and_retry_keys_follow_the_joined_account(
    client: httpx.AsyncClient, settings: Settings, codec: TokenCodec
) -> None:
    zalo = await zalo_caller(client, "zl-join-1")
    city = await city_app_caller(client, "0922000001")
    session = await start_session(settings, codec, city.user)
    theirs = await make_report(city.user, channel=Channel.IHANOI)
    ours = await make_report(zalo.user)
    await IdempotencyKey.create(user=city.user, key="same-key", request_hash="c" * 64, report=theirs)
    await IdempotencyKey.create(user=zalo.user, key="same-key", request_hash="z" * 64, report=ours)
    await IdempotencyKey.create(user=city.user, key="city-only", request_hash="c" * 64, report=theirs)

    await _link(client, zalo, city)

    refreshed = only_data(await gql(client, REFRESH, {"r": session.refresh_token}))["refreshSession"]
    assert refreshed["user"]["id"] == str(zalo.user.id)
    assert my_report_ids(await gql(client, MY_REPORTS, {}, refreshed["accessToken"])) == {str(theirs.id), str(ours.id)}
    keys = await IdempotencyKey.filter(user_id=zalo.user.id).order_by("key").values_list("key", "report_id")
    assert keys == [("city-only", theirs.id), ("same-key", ours.id)]
    absorbed = await User.get(id=city.user.id)
    assert (absorbed.is_active, absorbed.merged_into_id) == (False, zalo.user.id)
    assert (await User.get(id=zalo.user.id)).phone == "+84922000001"


async def test_joins_chain_into_one_account(client: httpx.AsyncClient) -> None:
    """A phone joined to one Zalo account, which is later joined to another: every old token reaches the last one."""
    zalo_a = await zalo_caller(client, "zl-join-2a")
    zalo_b = await zalo_caller(client, "zl-join-2b")
    phone = await city_app_caller(client, "0922000002")
    reports = {str((await make_report(caller.user)).id) for caller in (zalo_a, zalo_b, phone)}
    await _link(client, zalo_a, phone)
    await _link(client, zalo_b, phone)  # `phone` now acts for zalo_a, which is what joins zalo_b
    for caller in (zalo_a, zalo_b, phone):
        assert my_report_ids(await gql(client, MY_REPORTS, {}, caller.token)) == reports
    merged = await User.filter(merged_into_id=zalo_b.user.id).order_by("id").values_list("id", flat=True)
    assert sorted(merged) == sorted([zalo_a.user.id, phone.user.id])


async def test_a_deactivated_creator_is_never_joined(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-join-3")
    city = await city_app_caller(client, "0922000004")
    token = token_of(only_data(await create_handoff(client, zalo, None))["createHandoff"]["url"])
    await User.filter(id=zalo.user.id).update(is_active=False)
    body = await redeem(client, city, token)
    assert_refused(body, "CONFLICT")
    assert body["errors"][0]["extensions"]["reason"] == "account_unavailable"
    assert (await User.get(id=city.user.id)).merged_into_id is None
    assert (await Handoff.get()).redeemed_at is None, "the refused redemption was rolled back whole"
