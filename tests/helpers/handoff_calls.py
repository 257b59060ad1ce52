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
REDEEM_HANDOFF = """
mutation($token: String!) {
  redeemHandoff(token: $token) {
    categoryCode description occurredAt plateNumber mediaIds
    location { latitude longitude address wardCode }
  }
}
"""
MY_REPORTS = "query { myReports(first: 50) { totalCount edges { node { id code channel } } } }"
ME = "query { me { id } }"


async def zalo_caller(client: httpx.AsyncClient, zalo_id: str) -> Caller:
    """A citizen signed in to the Zalo mini-app."""
    session = await zalo_login(client, zalo_id)
    identity = await Identity.get(subject=zalo_id).select_related("user")
    return Caller(user=identity.user, token=session["accessToken"])


async def city_app_caller(client: httpx.AsyncClient, phone: str) -> Caller:
    """A citizen signed in to the city app by a one-time code read from the dev outbox."""
    only_data(await gql(client, REQUEST_OTP, {"p": phone}))
    code = await latest_code(client, phone)
    session = only_data(await gql(client, LOGIN_WITH_OTP, {"p": phone, "c": code}))["loginWithOtp"]
    return Caller(user=await User.get(id=session["user"]["id"]), token=session["accessToken"])


async def create_handoff(client: httpx.AsyncClient, caller: Caller, draft: dict[str, Any] | None) -> dict[str, Any]:
    return await gql(client, CREATE_HANDOFF, {"draft": draft}, caller.token)


async def redeem(client: httpx.AsyncClient, caller: Caller, token: str) -> dict[str, Any]:
    return await gql(client, REDEEM_HANDOFF, {"token": token}, caller.token)


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
