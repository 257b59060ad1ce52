"""Staff management through GraphQL: admins manage all staff; an agency admin only the officers of their agency."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from models.agencies import Agency
from models.enums import Role
from models.users import RefreshToken, User
from services.accounts.users import create_staff_user
from tests.helpers.auth_flows import LOGIN_WITH_PASSWORD, ME
from tests.helpers.factories import Caller, make_user
from tests.helpers.graphql import assert_refused, gql, only_data

CREATE = """mutation($input: CreateStaffUserInput!) {
  createStaffUser(input: $input) { id role username active agency { code } }
}"""
SET_ACTIVE = "mutation($id: ID!, $active: Boolean!) { setUserActive(userId: $id, active: $active) { id active } }"
STAFF = "query($agency: ID!) { staff(agencyId: $agency) { username role agency { code } } }"
PASSWORD = "a long enough password"


async def _agency_id(code: str) -> str:
    return str((await Agency.get(code=code)).id)


def _input(username: str, role: str, agency_id: str | None) -> dict[str, Any]:
    return {"input": {"username": username, "password": PASSWORD, "role": role, "agencyId": agency_id}}


async def test_an_admin_creates_agency_admins_officers_and_admins(client: httpx.AsyncClient, admin: Caller) -> None:
    pc08 = await _agency_id("PC08")
    for username, role, agency in (("head-pc08", "AGENCY_ADMIN", pc08), ("op-2", "ADMIN", None)):
        created = only_data(await gql(client, CREATE, _input(username, role, agency), admin.token))["createStaffUser"]
        assert (created["role"], created["username"], created["active"]) == (role, username, True)
        assert created["agency"] == ({"code": "PC08"} if agency else None)
        login = await gql(client, LOGIN_WITH_PASSWORD, {"u": username, "p": PASSWORD})
        assert only_data(login)["loginWithPassword"]["user"]["role"] == role


async def test_bad_staff_input_is_typed(client: httpx.AsyncClient, admin: Caller) -> None:
    pc08 = await _agency_id("PC08")
    cases = {
        "username": _input("x", "OFFICER", pc08),
        "agency": _input("officer-x", "OFFICER", None),
        "agencyId": _input("officer-y", "OFFICER", "not-a-uuid"),
        "role": _input("citizen-z", "CITIZEN", None),
    }
    for field, variables in cases.items():
        body = await gql(client, CREATE, variables, admin.token)
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == field
    only_data(await gql(client, CREATE, _input("officer-w", "OFFICER", pc08), admin.token))
    assert_refused(await gql(client, CREATE, _input("officer-w", "OFFICER", pc08), admin.token), "CONFLICT")
    assert await User.filter(username__in=["x", "officer-x", "officer-y", "citizen-z"]).count() == 0


async def test_an_agency_admin_creates_officers_of_their_own_agency_only(
    client: httpx.AsyncClient, agency_admin: Caller
) -> None:
    pc08, other = await _agency_id("PC08"), await _agency_id("CA-00070")
    created = only_data(await gql(client, CREATE, _input("officer-a", "OFFICER", pc08), agency_admin.token))
    assert created["createStaffUser"]["agency"] == {"code": "PC08"}
    for variables in (
        _input("officer-b", "OFFICER", other),
        _input("head-b", "AGENCY_ADMIN", pc08),
        _input("admin-b", "ADMIN", None),
    ):
        assert_refused(await gql(client, CREATE, variables, agency_admin.token), "FORBIDDEN")
    assert not await User.filter(username__in=["officer-b", "head-b", "admin-b"]).exists()


async def test_deactivation_ends_access_and_sessions_at_once(client: httpx.AsyncClient, agency_admin: Caller) -> None:
    officer = await create_staff_user(username="officer-c", password=PASSWORD, role=Role.OFFICER, agency_code="PC08")
    session = only_data(await gql(client, LOGIN_WITH_PASSWORD, {"u": "officer-c", "p": PASSWORD}))
    access = session["loginWithPassword"]["accessToken"]
    off = only_data(await gql(client, SET_ACTIVE, {"id": str(officer.id), "active": False}, agency_admin.token))
    assert off["setUserActive"] == {"id": str(officer.id), "active": False}
    assert_refused(await gql(client, ME, token=access), "UNAUTHENTICATED")
    assert await RefreshToken.filter(user_id=officer.id, revoked_at__isnull=True).count() == 0
    for _ in range(5):
        await gql(client, LOGIN_WITH_PASSWORD, {"u": "officer-c", "p": "wrong password!"})
    assert_refused(await gql(client, LOGIN_WITH_PASSWORD, {"u": "officer-c", "p": PASSWORD}), "RATE_LIMITED")
    on = only_data(await gql(client, SET_ACTIVE, {"id": str(officer.id), "active": True}, agency_admin.token))
    assert on["setUserActive"]["active"] is True  # and unlocked:
    assert only_data(await gql(client, LOGIN_WITH_PASSWORD, {"u": "officer-c", "p": PASSWORD}))


async def test_an_agency_admin_cannot_touch_other_agencies_or_peers(
    client: httpx.AsyncClient, agency_admin: Caller, other_officer: Caller
) -> None:
    peer = await make_user(Role.AGENCY_ADMIN, "PC08")
    citizen = await make_user(Role.CITIZEN)
    for target in (other_officer.user, peer, citizen, agency_admin.user):
        body = await gql(client, SET_ACTIVE, {"id": str(target.id), "active": False}, agency_admin.token)
        assert_refused(body, "FORBIDDEN")
    assert await User.filter(is_active=False).count() == 0
    missing = await gql(client, SET_ACTIVE, {"id": "00000000-0000-0000-0000-000000000000", "active": False},
                        agency_admin.token)  # fmt: skip
    assert_refused(missing, "NOT_FOUND")


async def test_staff_lists_are_scoped(
    client: httpx.AsyncClient, admin: Caller, agency_admin: Caller, officer: Caller, other_officer: Caller
) -> None:
    pc08, other = await _agency_id("PC08"), await _agency_id("CA-00070")
    listed = only_data(await gql(client, STAFF, {"agency": pc08}, agency_admin.token))["staff"]
    assert {s["username"] for s in listed} == {agency_admin.user.username, officer.user.username}
    assert all(s["agency"] == {"code": "PC08"} for s in listed)
    assert_refused(await gql(client, STAFF, {"agency": other}, agency_admin.token), "FORBIDDEN")
    assert_refused(await gql(client, STAFF, {"agency": pc08}, officer.token), "FORBIDDEN")
    others = only_data(await gql(client, STAFF, {"agency": other}, admin.token))["staff"]
    assert [s["username"] for s in others] == [other_officer.user.username]


async def test_the_staff_list_is_n_plus_one_free(
    client: httpx.AsyncClient, admin: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    pc08 = await _agency_id("PC08")

    async def queries() -> int:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            only_data(await gql(client, STAFF, {"agency": pc08}, admin.token))
        return sum(r.name == "tortoise.db_client" and "SELECT" in r.getMessage().upper() for r in caplog.records)

    await make_user(Role.OFFICER, "PC08")
    await queries()  # the reference cache at hand, as it is on a running server (services/reference/cache.py)
    few = await queries()
    for _ in range(5):
        await make_user(Role.OFFICER, "PC08")
    assert await queries() == few
    assert few == 3  # the caller, the agency exists, the staff page (their agencies from the reference cache)
