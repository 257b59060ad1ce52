"""What a handoff refuses, each with its own code and reason, and what a refusal leaves behind: nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.enums import MediaStatus
from models.handoff import Handoff
from models.users import User
from services.handoff.links import HANDOFFS_PER_HOUR
from tests.helpers.factories import Caller, make_media, make_report
from tests.helpers.graphql import assert_refused, error_codes, only_data
from tests.helpers.handoff_calls import city_app_caller, create_handoff, redeem, token_of, zalo_caller


async def test_only_zalo_citizens_create_handoffs(client: httpx.AsyncClient, citizen: Caller) -> None:
    assert_refused(await create_handoff(client, citizen, None), "FORBIDDEN", reason="not_zalo")
    assert await Handoff.all().count() == 0


async def test_an_empty_draft_is_a_draft(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-empty")
    city = await city_app_caller(client, "0911000001")
    handoff = only_data(await create_handoff(client, zalo, None))["createHandoff"]
    assert only_data(await redeem(client, city, token_of(handoff["url"])))["redeemHandoff"] == {
        "categoryCode": None,
        "description": None,
        "occurredAt": None,
        "plateNumber": None,
        "mediaIds": [],
        "location": None,
    }


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        ({"categoryCode": "NO_SUCH"}, "draft.categoryCode"),
        ({"description": "x" * 2001}, "draft.description"),
        ({"occurredAt": "2099-01-01T08:00:00+07:00"}, "draft.occurredAt"),
        ({"location": {"latitude": 10.77, "longitude": 106.70}}, "draft.location"),
        ({"location": {"latitude": 21.0287, "longitude": 105.8524, "wardCode": "99999"}}, "draft.location.wardCode"),
        ({"plateNumber": "not a plate"}, "draft.plateNumber"),
        ({"mediaIds": ["not-an-id"]}, "draft.mediaIds"),
    ],
)
async def test_what_is_given_must_make_sense(client: httpx.AsyncClient, draft: dict[str, Any], field: str) -> None:
    zalo = await zalo_caller(client, "zl-bad-draft")
    assert_refused(await create_handoff(client, zalo, draft), "BAD_USER_INPUT", field=field)
    assert await Handoff.all().count() == 0


async def test_only_your_own_unused_uploads(client: httpx.AsyncClient, citizen: Caller) -> None:
    zalo = await zalo_caller(client, "zl-media")
    used = await make_media(zalo.user, report=await make_report(zalo.user))
    for media in (
        await make_media(citizen.user),
        used,
        await make_media(zalo.user, status=MediaStatus.REJECTED),
    ):
        body = await create_handoff(client, zalo, {"mediaIds": [str(media.id)]})
        assert_refused(body, "BAD_USER_INPUT", field="draft.mediaIds")
    assert await Handoff.all().count() == 0


async def test_unknown_expired_and_used_links_are_told_apart(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-links")
    city = await city_app_caller(client, "0911000002")
    assert_refused(await redeem(client, city, "forged-token"), "NOT_FOUND", reason="unknown", field="token")

    stale = token_of(only_data(await create_handoff(client, zalo, None))["createHandoff"]["url"])
    await Handoff.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_refused(await redeem(client, city, stale), "CONFLICT", reason="expired")
    assert (await User.get(id=city.user.id)).is_active, "a refused redemption joins nobody"

    fresh = token_of(only_data(await create_handoff(client, zalo, None))["createHandoff"]["url"])
    only_data(await redeem(client, city, fresh))
    assert_refused(await redeem(client, city, fresh), "CONFLICT", reason="already_redeemed")
    stranger = await city_app_caller(client, "0911000003")
    assert_refused(await redeem(client, stranger, fresh), "CONFLICT", reason="already_redeemed")


async def test_a_link_works_once_however_many_race_for_it(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-race")
    token = token_of(only_data(await create_handoff(client, zalo, None))["createHandoff"]["url"])
    racers = [await city_app_caller(client, f"091100001{n}") for n in range(4)]
    bodies = await asyncio.gather(*(redeem(client, racer, token) for racer in racers))
    assert sorted(code for body in bodies for code in error_codes(body)) == ["CONFLICT"] * 3
    winner = next(racer for racer, body in zip(racers, bodies, strict=True) if not error_codes(body))
    merged = await User.filter(merged_into_id=zalo.user.id).values_list("id", flat=True)
    assert merged == [winner.user.id]


async def test_the_creator_may_open_their_own_link(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-self")
    token = token_of(only_data(await create_handoff(client, zalo, {"description": "Ổ gà"}))["createHandoff"]["url"])
    assert only_data(await redeem(client, zalo, token))["redeemHandoff"]["description"] == "Ổ gà"
    assert (await User.get(id=zalo.user.id)).is_active


async def test_links_are_rate_limited_per_person(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-many")
    for _ in range(HANDOFFS_PER_HOUR):
        only_data(await create_handoff(client, zalo, None))
    body = await create_handoff(client, zalo, None)
    assert_refused(body, "RATE_LIMITED")
    assert 3500 <= body["errors"][0]["extensions"]["retryAfterSeconds"] <= 3600
    assert await Handoff.all().count() == HANDOFFS_PER_HOUR
    other = await zalo_caller(client, "zl-few")
    only_data(await create_handoff(client, other, None))
