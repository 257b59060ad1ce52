"""Submitting reports through the endpoint: routing, numbering, evidence, and every refusal with its code."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.enums import MediaStatus, Role
from models.events import ReportEvent
from models.media import Media
from models.reports import IdempotencyKey, Report
from tests.helpers.factories import Caller, make_caller, make_media
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.reports_api import REPORT, SUBMIT, owned_media_ids, report_input, submit, submitted


async def test_citizen_submits_with_media_and_it_is_routed_at_once(client: httpx.AsyncClient, citizen: Caller) -> None:
    media_ids = await owned_media_ids(citizen.user, 2)
    body = await submit(client, citizen, report_input(media_ids))
    report = only_data(body)["submitReport"]
    assert re.fullmatch(rf"PA-{datetime.now(UTC).year}-\d{{6}}", report["code"])
    assert report["status"] == "ROUTED"
    assert report["agency"]["code"] == "PC08"
    assert report["plateNumber"] == "29A-123.45"
    assert report["category"] == {"code": "RED_LIGHT", "kind": "VIOLATION"}
    assert report["location"]["ward"]["code"] == "00070"  # nearest ward centre, as none was given
    assert sorted(m["id"] for m in report["media"]) == sorted(media_ids)
    assert [e["kind"] for e in report["timeline"]] == ["SUBMITTED", "ROUTED"]
    assert report["timeline"][0]["actor"] == {"id": str(citizen.user.id), "role": "CITIZEN"}
    assert "PC08" in report["timeline"][1]["reason"]
    assert report["reporter"] is None  # a citizen does not see the reporter block, even their own
    assert report["possibleDuplicateOf"] is None
    submitted_at = datetime.fromisoformat(report["submittedAt"])
    assert datetime.fromisoformat(report["dueAt"]) - submitted_at == timedelta(hours=120)
    assert report["overdue"] is False
    stored = await Report.get(id=report["id"])
    assert stored.routing_rule_id is not None
    assert await Media.filter(report_id=stored.id).count() == 2


async def test_ward_rules_and_infrastructure_without_media(client: httpx.AsyncClient, citizen: Caller) -> None:
    parking = await submitted(client, citizen, categoryCode="ILLEGAL_PARKING")
    assert parking["agency"]["code"] == "CA-00070"
    body = await submit(
        client,
        citizen,
        report_input(
            [],
            categoryCode="ROAD_DAMAGE",
            plateNumber=None,
            location={"latitude": 21.0386, "longitude": 105.838, "wardCode": "00004"},
        ),
    )
    pothole = only_data(body)["submitReport"]
    assert pothole["agency"]["code"] == "BDT-HTKT"
    assert pothole["location"]["ward"]["code"] == "00004"
    assert pothole["media"] == []
    assert int(pothole["code"][-6:]) > int(parking["code"][-6:])


async def test_the_ward_is_the_points_and_a_named_ward_must_agree(client: httpx.AsyncClient, citizen: Caller) -> None:
    """A citizen at Hoàn Kiếm lake naming a commune 60 km away would route the report to that commune's police and
    count it in its figures: refused, with the ward the point is in. A neighbouring ward across a nearby border is
    kept, since the centres only approximate the borders."""
    lake = {"latitude": 21.0287, "longitude": 105.8524}
    body = await submit(
        client, citizen, report_input([], categoryCode="ROAD_DAMAGE", location={**lake, "wardCode": "10489"})
    )
    assert_refused(body, "BAD_USER_INPUT", field="location.wardCode", nearestWardCode="00070")
    assert await Report.all().count() == 0
    across_the_border = await submitted(client, citizen, location={**lake, "wardCode": "00082"})
    assert across_the_border["location"]["ward"]["code"] == "00082"


async def test_codes_are_unique_and_increasing(client: httpx.AsyncClient, citizen: Caller) -> None:
    codes = [(await submitted(client, citizen))["code"] for _ in range(3)]
    numbers = [int(code[-6:]) for code in codes]
    assert numbers == sorted(numbers)
    assert len(set(codes)) == 3


async def test_same_plate_nearby_soon_after_is_flagged_as_possible_duplicate(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, codec: Any
) -> None:
    first = await submitted(client, citizen)
    neighbour = await make_caller(codec, Role.CITIZEN)
    second = await submitted(
        client, neighbour, plateNumber="29-A 123.45", location={"latitude": 21.0289, "longitude": 105.8526}
    )
    far = await submitted(client, neighbour, location={"latitude": 21.0386, "longitude": 105.838})
    assert second["possibleDuplicateOf"] is None  # citizens never see the link
    seen = only_data(await gql(client, REPORT, {"id": second["id"]}, officer.token))["report"]
    assert seen["possibleDuplicateOf"] == {"id": first["id"], "code": first["code"]}
    assert [e["kind"] for e in seen["timeline"]] == ["SUBMITTED", "ROUTED", "DUPLICATE_FLAGGED"]
    far_seen = only_data(await gql(client, REPORT, {"id": far["id"]}, officer.token))["report"]
    assert far_seen["possibleDuplicateOf"] is None


def _refusals(media_id: str) -> list[tuple[dict[str, Any], str]]:
    now = datetime.now(UTC)
    return [
        ({"categoryCode": "NOPE"}, "categoryCode"),
        ({"description": "short"}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"occurredAt": (now + timedelta(hours=1)).isoformat()}, "occurredAt"),
        ({"occurredAt": (now - timedelta(days=31)).isoformat()}, "occurredAt"),
        ({"occurredAt": "2026-11-23T08:00:00"}, "occurredAt"),
        ({"location": {"latitude": 10.7769, "longitude": 106.7009}}, "location"),
        ({"location": {"latitude": 21.03, "longitude": 105.85, "wardCode": "99999"}}, "location.wardCode"),
        ({"location": {"latitude": 21.03, "longitude": 105.85, "address": "a" * 301}}, "location.address"),
        ({"plateNumber": "not a plate"}, "plateNumber"),
        ({"channel": "HOTLINE"}, "channel"),
        ({"mediaIds": []}, "mediaIds"),
        ({"mediaIds": ["garbage"]}, "mediaIds"),
        ({"mediaIds": [str(uuid.uuid4())]}, "mediaIds"),
        ({"mediaIds": [media_id, *[str(uuid.uuid4()) for _ in range(10)]]}, "mediaIds"),
    ]


async def test_every_refusal_names_its_field_and_writes_nothing(client: httpx.AsyncClient, citizen: Caller) -> None:
    media = await make_media(citizen.user)
    for overrides, field in _refusals(str(media.id)):
        body = await submit(client, citizen, report_input([str(media.id)], **overrides), key="same-key-every-time")
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == field, (overrides, body)
        assert body["data"] is None
    assert await Report.all().count() == 0
    assert await ReportEvent.all().count() == 0
    assert await IdempotencyKey.all().count() == 0
    # The same key and the same photo still work for the corrected report.
    body = await submit(client, citizen, report_input([str(media.id)]), key="same-key-every-time")
    assert only_data(body)["submitReport"]["media"] == [
        {"id": str(media.id), "kind": "PHOTO", "contentType": "image/jpeg"}
    ]


@pytest.mark.parametrize("problem", ["pending", "rejected", "attached", "someone_elses"])
async def test_media_must_be_checked_free_and_ones_own(
    client: httpx.AsyncClient, citizen: Caller, codec: Any, problem: str
) -> None:
    stranger = await make_caller(codec, Role.CITIZEN)
    mine = await make_media(citizen.user)
    if problem == "attached":
        await submit(client, citizen, report_input([str(mine.id)]))
        bad = mine
    elif problem == "someone_elses":
        bad = await make_media(stranger.user)
    else:
        bad = await make_media(citizen.user, status=MediaStatus(problem.upper()))
    free = await make_media(citizen.user)
    reports_before = await Report.all().count()
    body = await submit(client, citizen, report_input([str(free.id), str(bad.id)]))
    assert_refused(body, "BAD_USER_INPUT")
    assert body["errors"][0]["extensions"]["field"] == "mediaIds"
    assert await Report.all().count() == reports_before
    assert (await Media.get(id=free.id)).report_id is None


async def test_only_signed_in_citizens_submit(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    variables = {"input": report_input(await owned_media_ids(citizen.user)), "key": str(uuid.uuid4())}
    assert_refused(await gql(client, SUBMIT, variables), "UNAUTHENTICATED")
    assert_refused(await gql(client, SUBMIT, variables, officer.token), "FORBIDDEN")
    assert_refused(await gql(client, SUBMIT, variables, admin.token), "FORBIDDEN")
    assert await Report.all().count() == 0
