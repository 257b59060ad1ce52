"""Handoff operations as the two frontends send them, and a reader of the QR code SVG, shared by the handoff tests."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from models.users import Identity, User
from tests.helpers.auth_flows import LOGIN_WITH_OTP, REQUEST_OTP, latest_code, zalo_login
from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data

CREATE_HANDOFF = "mutation($draft: ReportDraftInput) { createHandoff(draft: $draft) { url qrCodeSvg expiresAt } }"
# The city app's document before issue 14, kept as it was: old clients keep working.
REDEEM_HANDOFF = """
mutation($token: String!) {
  redeemHandoff(token: $token) {
    categoryCode description occurredAt plateNumber mediaIds
    location { latitude longitude address wardCode }
  }
}
"""
REDEEM_WITH_OFFER = """
mutation($token: String!) {
  redeemHandoff(token: $token) {
    categoryCode description occurredAt plateNumber mediaIds
    location { latitude longitude address wardCode }
    joinOffer { status zaloAccountId zaloName confirmBefore }
  }
}
"""
CREATE_JOIN_OFFER = """
mutation($draft: ReportDraftInput, $phone: String!, $code: String!) {
  createHandoff(draft: $draft, joinPhone: { phone: $phone, code: $code }) { url qrCodeSvg expiresAt }
}
"""
JOIN = "id intoAccountId absorbedAccountId joinedAt splitAt"
CONFIRM_JOIN = f"""
mutation($token: String!, $zalo: ID!) {{ confirmAccountJoin(token: $token, zaloAccountId: $zalo) {{ {JOIN} }} }}
"""
SPLIT_JOIN = f"mutation($id: ID!) {{ splitAccountJoin(joinId: $id) {{ {JOIN} }} }}"
MY_REPORTS = "query { myReports(first: 50) { totalCount edges { node { id code channel } } } }"
ME = "query { me { id } }"
REPORT_AND_MEDIA = "query($id: ID!) { report(id: $id) { id reporter { id phone } media { id } } }"
MEDIA = "query($id: ID!) { media(id: $id) { id } }"


async def zalo_caller(client: httpx.AsyncClient, zalo_id: str) -> Caller:
    """A citizen signed in to the Zalo mini-app."""
    session = await zalo_login(client, zalo_id)
    identity = await Identity.get(subject=zalo_id).select_related("user")
    return Caller(user=identity.user, token=session["accessToken"])


async def sign_in_code(client: httpx.AsyncClient, phone: str) -> str:
    """A fresh one-time code for this phone, asked for by `requestOtp` and read from the dev outbox."""
    only_data(await gql(client, REQUEST_OTP, {"p": phone}))
    return await latest_code(client, phone)


async def otp_session(client: httpx.AsyncClient, phone: str) -> dict[str, Any]:
    """A city-app sign-in by one-time code: the session `loginWithOtp` answers."""
    code = await sign_in_code(client, phone)
    session: dict[str, Any] = only_data(await gql(client, LOGIN_WITH_OTP, {"p": phone, "c": code}))["loginWithOtp"]
    return session


async def city_app_caller(client: httpx.AsyncClient, phone: str) -> Caller:
    """A citizen signed in to the city app by a one-time code read from the dev outbox."""
    session = await otp_session(client, phone)
    return Caller(user=await User.get(id=session["user"]["id"]), token=session["accessToken"])


async def create_handoff(client: httpx.AsyncClient, caller: Caller, draft: dict[str, Any] | None) -> dict[str, Any]:
    return await gql(client, CREATE_HANDOFF, {"draft": draft}, caller.token)


async def redeem(client: httpx.AsyncClient, caller: Caller, token: str) -> dict[str, Any]:
    return await gql(client, REDEEM_HANDOFF, {"token": token}, caller.token)


async def create_join_offer(
    client: httpx.AsyncClient, zalo: Caller, phone: str, draft: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the Zalo mini-app sends to offer a join: a code is asked for `phone`, read, and sent with the draft."""
    variables = {"draft": draft, "phone": phone, "code": await sign_in_code(client, phone)}
    return await gql(client, CREATE_JOIN_OFFER, variables, zalo.token)


async def join_offer_link(client: httpx.AsyncClient, zalo: Caller, phone: str) -> str:
    """The token of a link the Zalo side made offering to join accounts, proving `phone` by a sign-in code."""
    return token_of(only_data(await create_join_offer(client, zalo, phone))["createHandoff"]["url"])


async def redeem_offer(client: httpx.AsyncClient, caller: Caller, token: str) -> dict[str, Any]:
    """Redeem as the city app does since issue 14: the draft, and what the link offers about joining accounts."""
    return await gql(client, REDEEM_WITH_OFFER, {"token": token}, caller.token)


async def confirm_join(client: httpx.AsyncClient, caller: Caller, token: str, zalo_account_id: str) -> dict[str, Any]:
    return await gql(client, CONFIRM_JOIN, {"token": token, "zalo": zalo_account_id}, caller.token)


async def joined(client: httpx.AsyncClient, zalo: Caller, city: Caller, phone: str) -> dict[str, Any]:
    """One person's two accounts made one the legitimate way: Zalo offers proving `phone`, the city app (signed in
    with `phone`) redeems, is shown the Zalo account, and confirms naming it. Returns the `AccountJoin`."""
    token = await join_offer_link(client, zalo, phone)
    offer = only_data(await redeem_offer(client, city, token))["redeemHandoff"]["joinOffer"]
    assert offer["status"] == "CONFIRMABLE", offer
    join: dict[str, Any] = only_data(await confirm_join(client, city, token, offer["zaloAccountId"]))[
        "confirmAccountJoin"
    ]
    return join


async def split_join(client: httpx.AsyncClient, admin: Caller, join_id: str) -> dict[str, Any]:
    return await gql(client, SPLIT_JOIN, {"id": join_id}, admin.token)


async def visible_to(client: httpx.AsyncClient, caller: Caller, report_id: str, media_ids: list[str]) -> set[str]:
    """Which of this report and these uploads the caller can read at all, through `report` and `media`."""
    seen = set()
    if only_data(await gql(client, REPORT_AND_MEDIA, {"id": report_id}, caller.token))["report"] is not None:
        seen.add(report_id)
    for media_id in media_ids:
        if only_data(await gql(client, MEDIA, {"id": media_id}, caller.token))["media"] is not None:
            seen.add(media_id)
    return seen


def token_of(url: str) -> str:
    (token,) = parse_qs(urlsplit(url).query)["token"]
    return token


def my_report_ids(body: dict[str, Any]) -> set[str]:
    return {edge["node"]["id"] for edge in only_data(body)["myReports"]["edges"]}


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules an SVG QR code draws, read back from its path (`M x y`, then `h n` runs and `m dx dy` moves),
    as (row, column) without the quiet zone, so it can be compared with the matrix of an independent encoding."""
    path = re.search(r' d="([^"]+)"', svg)
    assert path is not None, svg[:200]
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, numbers in re.findall(r"([MmHhVv])([-\d. ]+)", path.group(1).replace(",", " ")):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        elif command == "h":
            dark.update((int(y), int(x) + i) for i in range(int(values[0])))
            x += values[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    border = min(column for _, column in dark)  # the finder pattern's corner is dark and at the quiet zone's edge
    top = min(row for row, _ in dark)
    return {(row - top, column - border) for row, column in dark}
