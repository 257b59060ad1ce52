"""Rate limits at the edges: bursts of uploads and reports stop exactly at the limit, and the address a per-address
limit counts is the peer's unless a proxy listed in FORWARDED_ALLOW_IPS forwarded the request."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings, SettingsError
from models.media import Media
from models.reports import Report
from tests.helpers.auth_flows import REQUEST_OTP, client_for, clients_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, error_codes, gql, only_data
from tests.helpers.media_calls import create_upload, upload_multipart
from tests.helpers.media_files import photo
from tests.helpers.reports_api import SUBMIT, owned_media_ids, report_input
from tests.helpers.servers import Server


def _client(settings: Settings, tmp_path: Path, **overrides: str) -> Any:
    return client_for(make_settings(settings.database_url, tmp_path, **overrides))


async def test_simultaneous_uploads_stop_at_the_limit(settings: Settings, tmp_path: Path, citizen: Caller) -> None:
    """MEDIA_UPLOAD_LIMIT_PER_HOUR counts both ways in: reserved uploads and multipart photos."""
    async with _client(settings, tmp_path, MEDIA_UPLOAD_LIMIT_PER_HOUR="5") as client:
        bodies = await asyncio.gather(*(create_upload(client, citizen.token, "image/jpeg", 1000) for _ in range(12)))
        assert sorted(error_codes(body) for body in bodies) == [[]] * 5 + [["RATE_LIMITED"]] * 7
        assert 3590 <= bodies[-1]["errors"][0]["extensions"]["retryAfterSeconds"] <= 3600
        response = await upload_multipart(client, citizen.token, photo(), "image/jpeg")
        assert_refused(response.json(), "RATE_LIMITED")
    assert await Media.filter(owner_id=citizen.user.id).count() == 5


async def test_simultaneous_reports_stop_at_the_limit_and_replays_still_answer(
    settings: Settings, tmp_path: Path, citizen: Caller
) -> None:
    submissions = [
        {"input": report_input(await owned_media_ids(citizen.user)), "key": str(uuid.uuid4())} for _ in range(8)
    ]
    async with _client(settings, tmp_path, REPORT_LIMIT_PER_HOUR="3") as client:
        bodies = await asyncio.gather(*(gql(client, SUBMIT, variables, citizen.token) for variables in submissions))
        assert sorted(error_codes(body) for body in bodies) == [[]] * 3 + [["RATE_LIMITED"]] * 5
        accepted = next(n for n, body in enumerate(bodies) if not error_codes(body))
        replay = await gql(client, SUBMIT, submissions[accepted], citizen.token)
        assert only_data(replay)["submitReport"]["id"] == bodies[accepted]["data"]["submitReport"]["id"]
    assert await Report.filter(reporter_id=citizen.user.id).count() == 3


def _request_code(server: Server, phone: str, forwarded_for: str) -> list[str]:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": REQUEST_OTP, "variables": {"p": phone}},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=30,
    )
    return error_codes(response.json())


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_listed_proxy(run_server: Callable[..., Server]) -> None:
    """Without FORWARDED_ALLOW_IPS (the default) a client cannot choose the address its limits count; it used to,
    from 127.0.0.1. With the proxy listed, the address is the one the proxy wrote, not what the client prepended."""
    limits = {"OTP_ADDRESS_LIMIT_PER_HOUR": "2"}
    direct = run_server(limits)
    assert [_request_code(direct, f"09140000{n:02d}", f"203.0.113.{n}") for n in range(3)] == [
        [],
        [],
        ["RATE_LIMITED"],
    ]
    proxied = run_server({**limits, "FORWARDED_ALLOW_IPS": "127.0.0.1"}, migrate=False)
    assert _request_code(proxied, "0914000010", "203.0.113.7") == []
    assert _request_code(proxied, "0914000011", "203.0.113.7") == []
    assert _request_code(proxied, "0914000012", "198.51.100.1, 203.0.113.7") == ["RATE_LIMITED"]
    assert _request_code(proxied, "0914000013", "203.0.113.8") == []


@pytest.mark.parametrize("value", ["*", "proxy.internal", "10.0.0.1/8", "10.0.0.1,*"])
def test_trusted_proxies_are_addresses_or_networks(value: str) -> None:
    """`*` would believe the first X-Forwarded-For entry, which any client writes; uvicorn would silently ignore a
    name or a malformed network."""
    with pytest.raises(SettingsError, match="FORWARDED_ALLOW_IPS"):
        Settings.from_env({"FORWARDED_ALLOW_IPS": value})
    assert Settings.from_env({"FORWARDED_ALLOW_IPS": "10.0.0.5, 10.1.0.0/16,::1"}).forwarded_allow_ips == (
        "10.0.0.5",
        "10.1.0.0/16",
        "::1",
    )


async def test_anonymous_requests_are_throttled_per_address_and_signed_in_ones_are_not(
    settings: Settings, tmp_path: Path, citizen: Caller
) -> None:
    """A burst of anonymous reads from one address passes up to the bucket and is then refused with 429 JSON;
    another address, and a signed-in caller at the same address, still pass."""
    throttled = make_settings(settings.database_url, tmp_path, ANONYMOUS_REQUESTS_PER_MINUTE="30")
    query = "{ categories { code } }"
    async with clients_for(throttled, "198.51.100.7", "2001:db8::9") as (crowded, v6):
        answers = await asyncio.gather(*(crowded.post("/graphql", json={"query": query}) for _ in range(40)))
        assert sorted(answer.status_code for answer in answers) == [200] * 30 + [429] * 10
        refused = next(answer for answer in answers if answer.status_code == 429)
        assert refused.headers["content-type"] == "application/json"
        assert refused.headers["x-request-id"]
        assert 1 <= int(refused.headers["retry-after"]) <= 3
        assert_refused(refused.json(), "RATE_LIMITED", retryAfterSeconds=int(refused.headers["retry-after"]))
        signed_in = await gql(crowded, query, token=citizen.token)
        assert only_data(signed_in)["categories"]
        v6_answers = await asyncio.gather(*(v6.post("/graphql", json={"query": query}) for _ in range(30)))
        assert {answer.status_code for answer in v6_answers} == {200}
