"""`GET /hotspots.geojson`: valid GeoJSON of the same cells as `hotspots`, cached with an ETag, every parameter
checked, the public view without a token and the caller's with one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import Settings
from models.enums import ReportStatus
from tests.helpers.auth_flows import client_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller
from tests.helpers.hotspots_api import CELL_A, CELL_B, report_in
from tests.helpers.query_count import count_queries

PATH = "/hotspots.geojson"


async def get(client: httpx.AsyncClient, caller: Caller | None = None, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {caller.token}"} if caller else {}
    return await client.get(PATH, params=params, headers=headers)


def features(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in collection["features"]}


async def test_cells_are_polygons_in_longitude_latitude_order(client: httpx.AsyncClient, citizen: Caller) -> None:
    for _ in range(5):
        await report_in(citizen.user, CELL_A, status=ReportStatus.PENALIZED, fine_amount_vnd=1_000_000)
    found = features(await get(client, precision="7"))
    assert set(found) == {CELL_A}
    feature = found[CELL_A]
    assert feature["type"] == "Feature"
    assert feature["properties"]["total"] == feature["properties"]["penalized"] == 5
    assert feature["properties"]["geohash"] == CELL_A
    geometry = feature["geometry"]
    assert geometry["type"] == "Polygon"
    (ring,) = geometry["coordinates"]
    assert len(ring) == 5
    assert ring[0] == ring[-1]  # closed
    assert all(105 < lon < 107 and 20 < lat < 22 for lon, lat in ring)  # [longitude, latitude], never the other way
    west, south, east, north = feature["bbox"]
    assert ring[:4] == [[west, south], [east, south], [east, north], [west, north]]  # counterclockwise (RFC 7946)
    assert west < feature["properties"]["longitude"] < east


async def test_a_second_get_with_the_etag_is_not_modified(client: httpx.AsyncClient, citizen: Caller) -> None:
    for _ in range(5):
        await report_in(citizen.user, CELL_A)
    first = await get(client, precision="6")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=60"
    etag = first.headers["etag"]
    again = await client.get(PATH, params={"precision": "6"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    await report_in(citizen.user, CELL_A)
    changed = await client.get(PATH, params={"precision": "6"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_the_public_view_by_default_and_the_staffs_with_a_token(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller
) -> None:
    for _ in range(5):
        await report_in(citizen.user, CELL_A)
    await report_in(citizen.user, CELL_B)
    await report_in(citizen.user, CELL_B, "CA-00070", category_id="ILLEGAL_PARKING")
    public = await get(client, precision="7")
    assert {cell: f["properties"]["total"] for cell, f in features(public).items()} == {CELL_A: 5}
    assert public.json()["minCount"] == 5
    staff = await get(client, officer, precision="7")
    assert staff.headers["cache-control"] == "private, no-store"
    assert {cell: f["properties"]["total"] for cell, f in features(staff).items()} == {CELL_A: 5, CELL_B: 1}
    assert staff.json()["audience"] == "AGENCY"
    theirs = await get(client, other_officer, precision="7")
    assert {cell: f["properties"]["total"] for cell, f in features(theirs).items()} == {CELL_B: 1}
    refused = await get(client, other_officer, agency=str(officer.user.agency_id))
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    forged = await client.get(PATH, headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("precision=0", "precision"),
        ("precision=9", "precision"),
        ("precision=five", "precision"),
        ("precision=5&precision=6", "precision"),
        ("from=2025-02-30", "from"),
        ("from=1999-12-31", "from"),
        ("from=2025-02-01&to=2025-01-01", "to"),
        ("kind=PARKING", "kind"),
        ("status=open", "status"),
        ("category=" + "A" * 65, "category"),
        ("category=red%20light", "category"),
        ("agency=not-an-id", "agency"),
    ],
)
async def test_every_parameter_is_checked(client: httpx.AsyncClient, query: str, field: str) -> None:
    response = await client.get(f"{PATH}?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field


async def test_unknown_parameters_and_methods_are_refused(client: httpx.AsyncClient) -> None:
    unknown = await client.get(f"{PATH}?bbox=1,2,3,4")
    assert unknown.status_code == 400
    assert "Unknown parameter 'bbox'" in unknown.json()["errors"][0]["message"]
    posted = await client.post(PATH)
    assert posted.status_code == 405


async def test_one_statement_and_the_anonymous_throttle(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, citizen: Caller
) -> None:
    for _ in range(5):
        await report_in(citizen.user, CELL_A)
    with count_queries() as log:
        features(await get(client, precision="8"))
    assert log.count == 1
    throttled = make_settings(settings.database_url, tmp_path, ANONYMOUS_REQUESTS_PER_MINUTE="2")
    async with client_for(throttled) as http:
        assert [(await get(http)).status_code for _ in range(3)] == [200, 200, 429]
        assert (await get(http, citizen)).status_code == 200  # signed-in callers are not throttled here


async def test_public_hotspots_over_graphql_get_are_cacheable(client: httpx.AsyncClient, citizen: Caller) -> None:
    response = await client.get("/graphql", params={"query": "{ hotspots(precision: 6) { minCount cells { id } } }"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=60"
    again = await client.get(
        "/graphql",
        params={"query": "{ hotspots(precision: 6) { minCount cells { id } } }"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304
    signed_in = await client.get(
        "/graphql",
        params={"query": "{ hotspots { minCount } }"},
        headers={"Authorization": f"Bearer {citizen.token}"},
    )
    assert signed_in.headers["cache-control"] == "private, no-store"
