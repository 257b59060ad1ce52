"""Refresh tokens through GraphQL: rotation, reuse detection (the whole session dies), the grace window, logout."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import httpx

from models.users import RefreshToken, User
from tests.helpers.auth_flows import LOGOUT, ME, REFRESH, zalo_login
from tests.helpers.graphql import assert_refused, gql, only_data


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def test_a_session_stores_only_the_hash_and_rotates(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "rotate-1")
    assert first["expiresIn"] == 900
    stored = await RefreshToken.all().values_list("token_hash", flat=True)
    assert stored == [_hash(first["refreshToken"])]

    second = only_data(await gql(client, REFRESH, {"r": first["refreshToken"]}))["refreshSession"]
    assert second["refreshToken"] != first["refreshToken"]
    assert second["user"] == first["user"]
    me = only_data(await gql(client, ME, token=second["accessToken"]))["me"]
    assert me == {"id": first["user"]["id"], "role": "CITIZEN"}
    third = only_data(await gql(client, REFRESH, {"r": second["refreshToken"]}))["refreshSession"]
    links = await RefreshToken.all().order_by("created_at")
    assert len(links) == 3
    assert len({link.family for link in links}) == 1
    assert [link.used_at is not None for link in links] == [True, True, False]
    assert [link.token_hash for link in links] == [_hash(p["refreshToken"]) for p in (first, second, third)]


async def _age_spent_links(seconds: int) -> None:
    used = datetime.now(UTC) - timedelta(seconds=seconds)
    await RefreshToken.filter(used_at__isnull=False).update(used_at=used)


async def test_a_reused_refresh_token_revokes_the_whole_session(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "reuse-1")
    other_session = await zalo_login(client, "reuse-1")
    second = only_data(await gql(client, REFRESH, {"r": first["refreshToken"]}))["refreshSession"]
    await _age_spent_links(60)  # beyond the 10-second grace window: a copy, not a lost response

    replay = await gql(client, REFRESH, {"r": first["refreshToken"]})
    assert_refused(replay, "UNAUTHENTICATED")
    assert replay["errors"][0]["extensions"]["reason"] == "refresh_token_reused"
    # The legitimate holder of the newest token is signed out too: the thief and the user cannot be told apart.
    assert_refused(await gql(client, REFRESH, {"r": second["refreshToken"]}), "UNAUTHENTICATED")
    # Another session of the same user is untouched.
    assert only_data(await gql(client, REFRESH, {"r": other_session["refreshToken"]}))["refreshSession"]


async def test_a_lost_response_is_replayed_within_the_grace_window(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "grace-1")
    lost = only_data(await gql(client, REFRESH, {"r": first["refreshToken"]}))["refreshSession"]
    again = only_data(await gql(client, REFRESH, {"r": first["refreshToken"]}))["refreshSession"]
    assert again["refreshToken"] == lost["refreshToken"]
    assert await RefreshToken.filter(revoked_at__isnull=False).count() == 0
    # Once the new token has been used, the old one is a plain reuse even inside the window.
    only_data(await gql(client, REFRESH, {"r": lost["refreshToken"]}))
    assert_refused(await gql(client, REFRESH, {"r": first["refreshToken"]}), "UNAUTHENTICATED")
    assert await RefreshToken.filter(revoked_at__isnull=True).count() == 0


async def test_logout_revokes_the_session(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "logout-1")
    second = only_data(await gql(client, REFRESH, {"r": first["refreshToken"]}))["refreshSession"]
    assert only_data(await gql(client, LOGOUT, {"r": second["refreshToken"]})) == {"logout": True}
    assert_refused(await gql(client, REFRESH, {"r": second["refreshToken"]}), "UNAUTHENTICATED")
    assert only_data(await gql(client, LOGOUT, {"r": "never-issued"})) == {"logout": False}


async def test_unknown_expired_and_deactivated_sessions_are_refused(client: httpx.AsyncClient) -> None:
    assert_refused(await gql(client, REFRESH, {"r": "forged"}), "UNAUTHENTICATED")
    expired = await zalo_login(client, "expired-1")
    await RefreshToken.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_refused(await gql(client, REFRESH, {"r": expired["refreshToken"]}), "UNAUTHENTICATED")

    disabled = await zalo_login(client, "disabled-1")
    await User.filter(id=disabled["user"]["id"]).update(is_active=False)
    body = await gql(client, REFRESH, {"r": disabled["refreshToken"]})
    assert_refused(body, "UNAUTHENTICATED")
    assert body["errors"][0]["extensions"]["reason"] == "inactive"


async def test_two_simultaneous_refreshes_get_the_same_pair_and_keep_the_session(client: httpx.AsyncClient) -> None:
    first = await zalo_login(client, "race-1")
    bodies = await asyncio.gather(*(gql(client, REFRESH, {"r": first["refreshToken"]}) for _ in range(2)))
    tokens = {only_data(body)["refreshSession"]["refreshToken"] for body in bodies}
    assert len(tokens) == 1
    assert await RefreshToken.filter(revoked_at__isnull=False).count() == 0
    assert await RefreshToken.all().count() == 2
