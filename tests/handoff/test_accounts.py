"""One citizen, several channels: what a confirmed join moves, what it refuses to join, and how an administrator
splits it again (audited)."""

from __future__ import annotations

import httpx

from auth.tokens import TokenCodec
from core.settings import Settings
from models.enums import Channel
from models.handoff import Handoff
from models.reports import IdempotencyKey
from models.users import AccountJoin, User
from services.accounts.sessions import start_session
from tests.helpers.agencies_api import AUDIT_LOG
from tests.helpers.auth_flows import REFRESH, zalo_login
from tests.helpers.factories import Caller, make_media, make_report
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.handoff_calls import (
    ME,
    MY_REPORTS,
    REPORT_AND_MEDIA,
    city_app_caller,
    confirm_join,
    join_offer_link,
    joined,
    my_report_ids,
    otp_session,
    redeem_offer,
    split_join,
    visible_to,
    zalo_caller,
)


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

    await joined(client, zalo, city, "0922000001")

    refreshed = only_data(await gql(client, REFRESH, {"r": session.refresh_token}))["refreshSession"]
    assert refreshed["user"]["id"] == str(zalo.user.id)
    assert my_report_ids(await gql(client, MY_REPORTS, {}, refreshed["accessToken"])) == {str(theirs.id), str(ours.id)}
    keys = await IdempotencyKey.filter(user_id=zalo.user.id).order_by("key").values_list("key", "report_id")
    assert keys == [("city-only", theirs.id), ("same-key", ours.id)]
    absorbed = await User.get(id=city.user.id)
    assert (absorbed.is_active, absorbed.merged_into_id) == (False, zalo.user.id)
    assert (await User.get(id=zalo.user.id)).phone == "+84922000001"
    assert (await otp_session(client, "0922000001"))["user"]["id"] == str(zalo.user.id)


async def test_joins_chain_into_one_account(client: httpx.AsyncClient) -> None:
    """A phone joined to one Zalo account, which is later joined to another: every old token reaches the last one."""
    zalo_a = await zalo_caller(client, "zl-join-2a")
    zalo_b = await zalo_caller(client, "zl-join-2b")
    phone = await city_app_caller(client, "0922000002")
    reports = {str((await make_report(caller.user)).id) for caller in (zalo_a, zalo_b, phone)}
    await joined(client, zalo_a, phone, "0922000002")
    await joined(client, zalo_b, phone, "0922000002")  # `phone` now acts for zalo_a, which is what joins zalo_b
    for caller in (zalo_a, zalo_b, phone):
        assert my_report_ids(await gql(client, MY_REPORTS, {}, caller.token)) == reports
    merged = await User.filter(merged_into_id=zalo_b.user.id).order_by("id").values_list("id", flat=True)
    assert sorted(merged) == sorted([zalo_a.user.id, phone.user.id])


async def test_a_deactivated_zalo_account_is_never_joined(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-join-3")
    city = await city_app_caller(client, "0922000004")
    token = await join_offer_link(client, zalo, "0922000004")
    await User.filter(id=zalo.user.id).update(is_active=False)
    assert_refused(await redeem_offer(client, city, token), "CONFLICT", reason="account_unavailable")
    assert (await Handoff.get()).redeemed_at is None, "the refused redemption was rolled back whole"

    await User.filter(id=zalo.user.id).update(is_active=True)
    offer = only_data(await redeem_offer(client, city, token))["redeemHandoff"]["joinOffer"]
    await User.filter(id=zalo.user.id).update(is_active=False)  # closed between redeeming and confirming
    body = await confirm_join(client, city, token, offer["zaloAccountId"])
    assert_refused(body, "CONFLICT", reason="account_unavailable")
    assert (await User.get(id=city.user.id)).merged_into_id is None
    assert await AccountJoin.all().count() == 0


async def test_an_administrator_splits_a_join_and_the_log_says_so(
    client: httpx.AsyncClient, admin: Caller, officer: Caller
) -> None:
    phone = "0922000005"
    zalo = await zalo_caller(client, "zl-split")
    city = await city_app_caller(client, phone)
    on_zalo = await make_report(zalo.user)
    in_city_app = await make_report(city.user, channel=Channel.IHANOI)
    upload = str((await make_media(city.user)).id)
    zalo_session = await zalo_login(client, "zl-split")
    token = await join_offer_link(client, zalo, phone)
    only_data(await redeem_offer(client, city, token))
    join = only_data(await confirm_join(client, city, token, str(zalo.user.id)))["confirmAccountJoin"]
    assert only_data(await gql(client, ME, {}, city.token))["me"]["id"] == str(zalo.user.id)

    split = only_data(await split_join(client, admin, join["id"]))["splitAccountJoin"]
    assert split["id"] == join["id"]
    assert split["splitAt"] is not None

    again = await otp_session(client, phone)
    assert again["user"]["id"] == str(city.user.id), "the phone signs in to its own account again"
    assert my_report_ids(await gql(client, MY_REPORTS, {}, again["accessToken"])) == {str(in_city_app.id)}
    assert my_report_ids(await gql(client, MY_REPORTS, {}, zalo.token)) == {str(on_zalo.id)}
    assert await visible_to(client, zalo, str(in_city_app.id), [upload]) == set()
    assert only_data(await gql(client, ME, {}, city.token))["me"]["id"] == str(city.user.id)
    assert (await User.get(id=zalo.user.id)).phone is None, "the phone the join copied is taken back"
    reporter = only_data(await gql(client, REPORT_AND_MEDIA, {"id": str(in_city_app.id)}, officer.token))
    assert reporter["report"]["reporter"] == {"id": str(city.user.id), "phone": "+84922000005"}
    ended = await gql(client, REFRESH, {"r": zalo_session["refreshToken"]})
    assert_refused(ended, "UNAUTHENTICATED", reason="session_ended")

    log = only_data(await gql(client, AUDIT_LOG, {"entity": "account_join", "entityId": join["id"]}, admin.token))
    entries = [edge["node"] for edge in log["auditLog"]["edges"]]
    assert [(entry["action"], entry["actor"]["id"]) for entry in entries] == [
        ("ACCOUNT_JOIN_SPLIT", str(admin.user.id)),
        ("ACCOUNTS_JOINED", str(city.user.id)),
    ]
    joined_entry = entries[1]["after"]
    assert (joined_entry["into"], joined_entry["absorbed"], joined_entry["phone"]) == (
        str(zalo.user.id),
        str(city.user.id),
        "+84922000005",
    )
    assert joined_entry["moved"]["report"] == 1
    assert entries[0]["before"]["splitAt"] is None
    assert entries[0]["after"]["splitAt"] is not None

    assert_refused(await split_join(client, admin, join["id"]), "CONFLICT", reason="already_split", field="joinId")
    rejoin = await confirm_join(client, city, token, str(zalo.user.id))
    assert_refused(rejoin, "CONFLICT", reason="already_joined")  # a split join stays split


async def test_splits_are_for_administrators_and_go_newest_first(
    client: httpx.AsyncClient, admin: Caller, officer: Caller
) -> None:
    zalo_a = await zalo_caller(client, "zl-split-a")
    zalo_b = await zalo_caller(client, "zl-split-b")
    city = await city_app_caller(client, "0922000006")
    first = await joined(client, zalo_a, city, "0922000006")
    second = await joined(client, zalo_b, city, "0922000006")

    for caller in (officer, city):
        assert error_codes(await split_join(client, caller, first["id"])) == ["FORBIDDEN"]
    for unknown in ("00000000-0000-0000-0000-000000000000", "not-an-id"):
        assert_refused(await split_join(client, admin, unknown), "NOT_FOUND", field="joinId")
    assert_refused(await split_join(client, admin, first["id"]), "CONFLICT", reason="joined_later")

    only_data(await split_join(client, admin, second["id"]))
    only_data(await split_join(client, admin, first["id"]))
    for caller in (zalo_a, zalo_b, city):
        assert only_data(await gql(client, ME, {}, caller.token))["me"]["id"] == str(caller.user.id)
    assert await User.filter(merged_into_id__isnull=False).count() == 0
