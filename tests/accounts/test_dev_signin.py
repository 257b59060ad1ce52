"""The README's "Sign in as each role in dev mode", done against a real `phananh serve` process over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.auth_flows import LOGIN_WITH_OTP, LOGIN_WITH_PASSWORD, LOGIN_WITH_ZALO, LOGOUT, REFRESH, REQUEST_OTP
from tests.helpers.servers import Server, run, server_env

ME = "{ me { id role username agency { code } } }"
PASSWORD = "change-me-please"


def _call(server: Server, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10
    ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _me(server: Server, payload: dict[str, Any]) -> dict[str, Any]:
    me: dict[str, Any] = _call(server, ME, {}, payload["accessToken"])["me"]
    assert me["id"] == payload["user"]["id"]
    return me


def test_each_role_signs_in_through_its_own_path(
    run_server: Callable[..., Server], database_url: str, tmp_path: Path
) -> None:
    server = run_server(migrate=False)
    cli_env = server_env({"DATABASE_URL": database_url, "VAR_DIR": str(tmp_path / "var")})

    zalo = _call(server, LOGIN_WITH_ZALO, {"t": "dev-zalo:1001:0912345678"})["loginWithZalo"]
    assert _me(server, zalo)["role"] == "CITIZEN"

    assert _call(server, REQUEST_OTP, {"p": "0987654321"})["requestOtp"]["phone"] == "+84987654321"
    outbox = httpx.get(f"{server.url}/dev/outbox", params={"phone": "0987654321", "limit": 1}, timeout=10).json()
    code = outbox["messages"][0]["code"]
    shown = run(["phananh", "outbox", "--phone", "0987654321"], cli_env)
    assert f"code {code}" in shown.stdout, shown.stderr
    phone = _call(server, LOGIN_WITH_OTP, {"p": "0987654321", "c": code})["loginWithOtp"]
    assert _me(server, phone)["role"] == "CITIZEN"
    assert phone["user"]["id"] != zalo["user"]["id"]

    for username, role, agency in (("admin", "ADMIN", None), ("pc08.head", "AGENCY_ADMIN", "PC08"),
                                   ("pc08.officer", "OFFICER", "PC08")):  # fmt: skip
        command = ["phananh", "create-user", "--username", username, "--password", PASSWORD, "--role", role]
        created = run([*command, *(["--agency", agency] if agency else [])], cli_env)
        assert created.returncode == 0, created.stderr
        staff = _call(server, LOGIN_WITH_PASSWORD, {"u": username, "p": PASSWORD})["loginWithPassword"]
        assert _me(server, staff) == {
            "id": staff["user"]["id"],
            "role": role,
            "username": username,
            "agency": {"code": agency} if agency else None,
        }

    rotated = _call(server, REFRESH, {"r": staff["refreshToken"]})["refreshSession"]
    assert _me(server, rotated)["username"] == "pc08.officer"
    assert _call(server, LOGOUT, {"r": rotated["refreshToken"]}) == {"logout": True}
