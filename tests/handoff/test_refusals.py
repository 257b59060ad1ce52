"""What a handoff refuses, each with its own code and reason, and what a refusal leaves behind: nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.enums import MediaStatus
from models.handoff import Handoff
from models.media import Media
from models.users import User
from services.handoff.links import HANDOFFS_PER_HOUR
from tests.helpers.factories import Caller, make_media, make_report
from tests.helpers.graphql import assert_refused, error_codes, only_data
from tests.helpers.handoff_calls import city_app_caller, create_handoff, redeem, token_of, zalo_caller


async def test_only_zalo_citizens_create_handoffs(client: httpx.AsyncClient, citizen: Caller) -> None:
    assert_refused(await create_handoff(client, citizen, None), "FORBIDDEN", reason="not_zalo")
    assert await Handoff.all().count() == 0


async def test_an_empty_draft_is_a_draft(client: httpx.AsyncClient) -> None:
    """Sent with the city app's document from before issue 14: old clients keep working."""
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
    assert (await Handoff.get()).redeemed_at is None, "a refused redemption changes nothing"

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
    assert (await Handoff.get()).redeemed_by_id == winner.user.id
    assert await User.filter(merged_into_id__isnull=False).count() == 0, "redeeming joins nobody"


async def test_the_creator_may_open_their_own_link(client: httpx.AsyncClient) -> None:
    zalo = await zalo_caller(client, "zl-self")
    photo = str((await make_media(zalo.user)).id)
    draft = {"description": "Ổ gà", "mediaIds": [photo]}
    token = token_of(only_data(await create_handoff(client, zalo, draft))["createHandoff"]["url"])
    received = only_data(await redeem(client, zalo, token))["redeemHandoff"]
    assert (received["description"], received["mediaIds"]) == ("Ổ gà", [photo])
    assert (await User.get(id=zalo.user.id)).is_active


async def test_only_unused_uploads_are_handed_over(client: httpx.AsyncClient) -> None:
    """An upload the Zalo side used in a report after making the link stays theirs and is left out of the draft."""
    zalo = await zalo_caller(client, "zl-handover")
    city = await city_app_caller(client, "0911000020")
    kept, used = [str((await make_media(zalo.user)).id) for _ in range(2)]
    token = token_of(only_data(await create_handoff(client, zalo, {"mediaIds": [kept, used]}))["createHandoff"]["url"])
    await Media.filter(id=used).update(report_id=(await make_report(zalo.user)).id)
    assert only_data(await redeem(client, city, token))["redeemHandoff"]["mediaIds"] == [kept]
    owners = dict(await Media.filter(id__in=[kept, used]).values_list("id", "owner_id"))
    assert {str(media_id): owner for media_id, owner in owners.items()} == {kept: city.user.id, used: zalo.user.id}


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


async def test_simultaneous_links_stop_at_the_limit(client: httpx.AsyncClient) -> None:
    """40 at once used to make 40 links: each request counted the links before any had been written."""
    zalo = await zalo_caller(client, "zl-burst")
    bodies = await asyncio.gather(*(create_handoff(client, zalo, None) for _ in range(40)))
    codes = sorted(error_codes(body) for body in bodies)
    assert codes == [[]] * HANDOFFS_PER_HOUR + [["RATE_LIMITED"]] * (40 - HANDOFFS_PER_HOUR)
    assert await Handoff.filter(creator_id=zalo.user.id).count() == HANDOFFS_PER_HOUR
