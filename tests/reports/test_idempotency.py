"""Retry-safe submission: the same key from the same user is the same report, however often and concurrently."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from models.enums import Role
from models.events import ReportEvent
from models.media import Media
from models.reports import IdempotencyKey, Report
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, error_codes, only_data
from tests.helpers.reports_api import owned_media_ids, report_input, submit

KEY = "c0ffee00-0000-4000-8000-000000000001"


async def test_twenty_concurrent_retries_make_one_report(client: httpx.AsyncClient, citizen: Caller) -> None:
    variables = report_input(await owned_media_ids(citizen.user, 2))
    bodies = await asyncio.gather(*(submit(client, citizen, variables, key=KEY) for _ in range(20)))
    ids = {only_data(body)["submitReport"]["id"] for body in bodies}
    codes = {only_data(body)["submitReport"]["code"] for body in bodies}
    assert len(ids) == 1
    assert len(codes) == 1
    assert await Report.all().count() == 1
    assert await IdempotencyKey.all().count() == 1
    assert await ReportEvent.filter(kind="SUBMITTED").count() == 1
    assert await Media.filter(report_id=ids.pop()).count() == 2


async def test_a_later_retry_with_another_spelling_is_the_same_report(
    client: httpx.AsyncClient, citizen: Caller
) -> None:
    variables = report_input(await owned_media_ids(citizen.user))
    first = only_data(await submit(client, citizen, variables, key=KEY))["submitReport"]
    respelled = {**variables, "plateNumber": "29A-123.45", "description": f"  {variables['description']} "}
    again = only_data(await submit(client, citizen, respelled, key=KEY))["submitReport"]
    assert again["id"] == first["id"]
    assert again["code"] == first["code"]
    assert await Report.all().count() == 1


async def test_same_key_with_another_payload_is_a_conflict(client: httpx.AsyncClient, citizen: Caller) -> None:
    media_ids = await owned_media_ids(citizen.user)
    only_data(await submit(client, citizen, report_input(media_ids), key=KEY))
    body = await submit(client, citizen, report_input(media_ids, description="Một báo cáo hoàn toàn khác."), key=KEY)
    assert_refused(body, "CONFLICT")
    assert body["errors"][0]["extensions"]["field"] == "idempotencyKey"
    assert await Report.all().count() == 1


async def test_keys_belong_to_their_user(client: httpx.AsyncClient, citizen: Caller, codec: Any) -> None:
    other = await make_caller(codec, Role.CITIZEN)
    mine = only_data(await submit(client, citizen, report_input(await owned_media_ids(citizen.user)), key=KEY))
    theirs = only_data(await submit(client, other, report_input(await owned_media_ids(other.user)), key=KEY))
    assert mine["submitReport"]["id"] != theirs["submitReport"]["id"]


async def test_malformed_keys_are_refused(client: httpx.AsyncClient, citizen: Caller) -> None:
    media_ids = await owned_media_ids(citizen.user)
    for key in ("", "short", "x" * 101, "has spaces in it", "ключ-ключ-ключ"):
        body = await submit(client, citizen, report_input(media_ids), key=key)
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == "idempotencyKey"
    assert await Report.all().count() == 0


async def test_two_reports_racing_for_one_photo_one_gets_it(client: httpx.AsyncClient, citizen: Caller) -> None:
    media_ids = await owned_media_ids(citizen.user)
    first, second = report_input(media_ids), report_input(media_ids, description="Cùng một ảnh, báo cáo khác.")
    bodies = await asyncio.gather(submit(client, citizen, first), submit(client, citizen, second))
    assert sorted(error_codes(body) for body in bodies) == [[], ["BAD_USER_INPUT"]]
    loser = next(body for body in bodies if "errors" in body)
    assert loser["errors"][0]["extensions"]["field"] == "mediaIds"
    assert await Report.all().count() == 1
    assert await IdempotencyKey.all().count() == 1
    assert await ReportEvent.all().count() == 2
