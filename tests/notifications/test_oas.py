"""One Zalo OA per agency (issue 19): answers go through the OA the report came in on, or the OA of the agency it
was transferred to when the citizen follows it, or not at all with the reason kept; OA tokens are refreshed once
across workers. Zalo is a local fake on 127.0.0.1 (`tests.helpers.fake_zalo_oa`) that records whose credentials and
tokens were used."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx

from api.notifications import notifier, retry_policy
from auth.tokens import TokenCodec
from core import clock
from core.settings import Settings
from models.enums import IdentityProvider, NotificationStatus, Role
from models.notifications import Notification, ZaloOaToken
from models.reports import Report
from models.users import Identity, User
from services.notifications.dispatch import DispatchSummary, send_due
from tests.helpers.agencies_api import create_agency
from tests.helpers.auth_flows import run_cli
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.fake_zalo_oa import FakeZaloOa, fake_zalo_oa, oa_env
from tests.helpers.graphql import gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ANSWER, ASSIGN, decide, submitted

LOGIN = """
mutation($t: String!, $app: String) { loginWithZalo(zaloAccessToken: $t, app: $app) { accessToken user { id } } }
"""
NOTIFICATIONS = "query($id: ID!) { report(id: $id) { notifications { kind status zaloOa reason text } } }"
PAGE_NOTIFICATIONS = "query($first: Int) { reports(first: $first) { edges { node { notifications { kind } } } } }"


async def zalo_in(client: httpx.AsyncClient, zalo_id: str, app: str | None = None) -> Caller:
    """A citizen signed in to the mini-app `app` (the default one for None)."""
    session = only_data(await gql(client, LOGIN, {"t": f"dev-zalo:{zalo_id}", "app": app}))["loginWithZalo"]
    return Caller(user=await User.get(id=session["user"]["id"]), token=session["accessToken"])


async def send(settings: Settings, tmp_path: Path, url: str) -> DispatchSummary:
    custom = make_settings(settings.database_url, tmp_path, **oa_env(url))
    sender = notifier(custom)
    assert sender is not None
    return await send_due(sender, retry_policy(custom))


async def transfer(client: httpx.AsyncClient, caller: Caller, report_id: str, agency_id: str) -> None:
    variables = {"id": report_id, "agencyId": agency_id, "reason": "Thuộc thẩm quyền của Ban Duy tu."}
    only_data(await gql(client, ASSIGN, variables, caller.token))


async def test_a_report_that_came_in_on_the_maintenance_oa_is_answered_through_it(
    client: httpx.AsyncClient, officer: Caller, settings: Settings, tmp_path: Path
) -> None:
    citizen = await zalo_in(client, "mt-lan", app="maintenance")
    report = await submitted(client, citizen)
    assert (await Report.get(id=report["id"])).zalo_oa == "maintenance"
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    with fake_zalo_oa() as url:
        assert (await send(settings, tmp_path, url)).sent == 1
        state = FakeZaloOa.state
    assert state.refresh_calls == [{"app_id": "mt-app", "secret_key": "mt-secret", "token": "mt-r0"}]
    [message] = state.messages
    assert (message["app"], message["recipient"]) == ("mt-app", {"user_id": "mt-lan"})
    assert message["message"]["text"].startswith(f"Phản ánh {report['code']} đã được tiếp nhận")
    seen = only_data(await gql(client, NOTIFICATIONS, {"id": report["id"]}, officer.token))["report"]
    text = message["message"]["text"]
    assert seen["notifications"] == [
        {"kind": "ACCEPTED", "status": "SENT", "zaloOa": "maintenance", "reason": None, "text": text}
    ]
    mine = only_data(await gql(client, NOTIFICATIONS, {"id": report["id"]}, citizen.token))["report"]
    assert mine["notifications"] is None, "staff only"


async def test_a_transfer_goes_through_the_new_agencys_oa_only_when_the_citizen_follows_it(
    client: httpx.AsyncClient, admin: Caller, settings: Settings, tmp_path: Path
) -> None:
    board = await create_agency(client, admin, name="Ban Duy tu hạ tầng giao thông", zaloOa="maintenance")
    stranger = await zalo_in(client, "police-only")
    follower = await zalo_in(client, "police-and-mt")
    await Identity.create(user=follower.user, provider=IdentityProvider.ZALO, app="maintenance", subject="mt-follower")
    unreachable = await make_report(stranger.user)
    reachable = await make_report(follower.user)
    for report in (unreachable, reachable):
        await transfer(client, admin, str(report.id), board["id"])

    skipped = await Notification.get(report_id=unreachable.id)
    assert (skipped.kind, skipped.status, skipped.oa, skipped.recipient) == (
        "TRANSFERRED",
        NotificationStatus.SKIPPED,
        "maintenance",
        "",
    )
    assert skipped.last_error is not None
    assert "Ban Duy tu hạ tầng giao thông" in skipped.last_error
    assert "does not follow" in skipped.last_error
    queued = await Notification.get(report_id=reachable.id)
    assert (queued.status, queued.oa, queued.recipient) == (NotificationStatus.PENDING, "maintenance", "mt-follower")
    assert "Ban Duy tu hạ tầng giao thông" in queued.payload["text"]

    with fake_zalo_oa() as url:
        assert (await send(settings, tmp_path, url)).sent == 1
        state = FakeZaloOa.state
    assert [(m["app"], m["recipient"]["user_id"]) for m in state.messages] == [("mt-app", "mt-follower")]
    assert (await Notification.get(id=skipped.id)).status is NotificationStatus.SKIPPED, "never sent"
    seen = only_data(await gql(client, NOTIFICATIONS, {"id": str(unreachable.id)}, admin.token))["report"]
    [shown] = seen["notifications"]
    assert (shown["status"], shown["zaloOa"], shown["reason"]) == ("SKIPPED", "maintenance", skipped.last_error)


async def test_a_transfer_to_an_agency_without_an_oa_keeps_the_oa_the_report_came_in_on(
    client: httpx.AsyncClient, admin: Caller, codec: TokenCodec
) -> None:
    plain = await create_agency(client, admin)
    citizen = await zalo_in(client, "mt-only", app="maintenance")
    report = await make_report(citizen.user, zalo_oa="maintenance")
    await transfer(client, admin, str(report.id), plain["id"])
    notification = await Notification.get(report_id=report.id)
    assert (notification.status, notification.oa, notification.recipient) == (
        NotificationStatus.PENDING,
        "maintenance",
        "mt-only",
    )
    plain_officer = await make_caller(codec, Role.OFFICER, plain["code"])
    only_data(await decide(client, plain_officer, str(report.id), outcome="ACCEPT"))
    assert await Notification.filter(report_id=report.id, oa="maintenance", kind="ACCEPTED").count() == 1


async def test_a_token_refresh_happens_once_across_two_workers(
    client: httpx.AsyncClient, officer: Caller, settings: Settings, tmp_path: Path
) -> None:
    """Two `phananh send-notifications` processes, each with its own database connection, each claiming one of two
    answers while the fake makes the refresh slow: one refresh call, and both answers sent with the token it gave."""
    citizen = await zalo_in(client, "mt-two", app="maintenance")
    for _ in range(2):
        report = await make_report(citizen.user, zalo_oa="maintenance")
        only_data(await decide(client, officer, str(report.id), outcome="ACCEPT"))
    with fake_zalo_oa() as url:
        FakeZaloOa.state.refresh_delay = 3.0
        env = {"APP_ENV": "test", "DATABASE_URL": settings.database_url, "VAR_DIR": str(tmp_path), **oa_env(url)}
        # One answer each (`--limit 1`): whichever starts first must not take both, or the other never needs a token.
        results = await asyncio.gather(*(run_cli("send-notifications", "--limit", "1", env=env) for _ in range(2)))
        state = FakeZaloOa.state
    assert [(status, out.strip()) for status, out, _ in results] == [(0, "sent 1, to retry 0, given up 0")] * 2
    assert len(state.refresh_calls) == 1
    assert [(m["app"], m["token"]) for m in state.messages] == [("mt-app", "mt-app-access-1")] * 2
    row = await ZaloOaToken.get(oa="maintenance")
    assert "mt-app-access-1" not in row.access_token, "encrypted"
    assert "mt-app-refresh-1" not in row.refresh_token, "encrypted"


async def test_a_token_is_refreshed_before_it_expires_with_the_rotated_refresh_token(
    client: httpx.AsyncClient, officer: Caller, settings: Settings, tmp_path: Path
) -> None:
    citizen = await zalo_in(client, "police-rotate")
    with fake_zalo_oa() as url:
        for round_ in range(3):
            report = await make_report(citizen.user)
            only_data(await decide(client, officer, str(report.id), outcome="ACCEPT"))
            assert (await send(settings, tmp_path, url)).sent == 1
            if round_ == 1:
                # Within the margin (an hour by default) of its expiry: the next send refreshes first.
                await ZaloOaToken.filter(oa="").update(expires_at=clock.now() + timedelta(minutes=10))
        state = FakeZaloOa.state
    assert [call["token"] for call in state.refresh_calls] == ["police-r0", "police-app-refresh-1"]
    assert [m["token"] for m in state.messages] == ["police-app-access-1"] * 2 + ["police-app-access-2"]
    assert {m["app"] for m in state.messages} == {"police-app"}


async def test_staff_read_the_notifications_of_a_page_in_a_fixed_number_of_queries(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    citizen = await zalo_in(client, "police-page")
    for _ in range(6):
        report = await make_report(citizen.user)
        only_data(await decide(client, officer, str(report.id), outcome="REJECT", responseToCitizen=ANSWER))
    await gql(client, PAGE_NOTIFICATIONS, {"first": 1}, officer.token)
    counts = []
    for size in (2, 6):
        with count_queries() as log:
            page = only_data(await gql(client, PAGE_NOTIFICATIONS, {"first": size}, officer.token))["reports"]
        assert [edge["node"]["notifications"] for edge in page["edges"]] == [[{"kind": "DECISION"}]] * size
        counts.append(log.count)
    assert counts[0] == counts[1], counts
