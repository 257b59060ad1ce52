"""Reference data through the GraphQL endpoint, as every frontend reads it."""

from __future__ import annotations

import httpx

from tests.helpers.graphql import assert_refused, gql, only_data

WARDS = "{ wards { code name kind latitude longitude } }"
CATEGORIES = "query($kind: CategoryKind) { categories(kind: $kind) { code name kind serviceLevelHours active } }"
AGENCIES = "{ agencies { id code name kind active parent { code } } }"
AGENCY = "query($id: ID!) { agency(id: $id) { id code kind parent { code kind } } }"


async def test_wards_are_hanois_126_units(client: httpx.AsyncClient) -> None:
    wards = only_data(await gql(client, WARDS))["wards"]
    assert len(wards) == 126
    assert sum(w["kind"] == "WARD" for w in wards) == 51
    assert sum(w["kind"] == "COMMUNE" for w in wards) == 75
    assert len({w["code"] for w in wards}) == 126
    assert all(len(w["code"]) == 5 and w["code"].isdigit() for w in wards)
    hoan_kiem = next(w for w in wards if w["code"] == "00070")
    assert hoan_kiem["name"] == "Phường Hoàn Kiếm"
    assert all(20.5 < w["latitude"] < 21.5 and 105.2 < w["longitude"] < 106.1 for w in wards)


async def test_categories_have_both_kinds_with_vietnamese_names(client: httpx.AsyncClient) -> None:
    categories = only_data(await gql(client, CATEGORIES))["categories"]
    violations = [c for c in categories if c["kind"] == "VIOLATION"]
    faults = [c for c in categories if c["kind"] == "INFRASTRUCTURE"]
    assert len(violations) >= 8
    assert len(faults) >= 4
    assert {"RED_LIGHT", "WRONG_WAY", "SIDEWALK_RIDING", "ILLEGAL_PARKING", "NO_HELMET"} <= {
        c["code"] for c in violations
    }
    assert next(c for c in categories if c["code"] == "RED_LIGHT")["name"].startswith("Vượt đèn đỏ")
    only_faults = only_data(await gql(client, CATEGORIES, {"kind": "INFRASTRUCTURE"}))["categories"]
    assert {c["code"] for c in only_faults} == {c["code"] for c in faults}


async def test_agencies_cover_every_kind_with_unique_codes(client: httpx.AsyncClient) -> None:
    agencies = only_data(await gql(client, AGENCIES))["agencies"]
    assert {a["kind"] for a in agencies} == {
        "TRAFFIC_POLICE",
        "WARD_POLICE",
        "INFRASTRUCTURE",
        "WARD_COMMITTEE",
        "OTHER",
    }
    codes = [a["code"] for a in agencies]
    assert len(codes) == len(set(codes))
    assert sum(a["kind"] == "WARD_POLICE" for a in agencies) == 126
    team = next(a for a in agencies if a["code"] == "PC08-D1")
    assert team["parent"] == {"code": "PC08"}


async def test_agency_by_id_and_unknown_ids(client: httpx.AsyncClient) -> None:
    agencies = only_data(await gql(client, AGENCIES))["agencies"]
    pc08 = next(a for a in agencies if a["code"] == "PC08")
    found = only_data(await gql(client, AGENCY, {"id": pc08["id"]}))["agency"]
    assert found == {
        "id": pc08["id"],
        "code": "PC08",
        "kind": "TRAFFIC_POLICE",
        "parent": {"code": "CAHN", "kind": "OTHER"},
    }
    for unknown in ("00000000-0000-0000-0000-000000000000", "not-an-id", "", "PC08"):
        assert only_data(await gql(client, AGENCY, {"id": unknown}))["agency"] is None


async def test_invalid_documents_are_bad_user_input(client: httpx.AsyncClient) -> None:
    assert_refused(await gql(client, "{ wards { nope } }"), "BAD_USER_INPUT")
    assert_refused(await gql(client, "{ wards "), "BAD_USER_INPUT")
    assert_refused(await gql(client, CATEGORIES, {"kind": "PARKING"}), "BAD_USER_INPUT")
