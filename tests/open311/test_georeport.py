"""The Open311 GeoReport v2 view as an Open311 client reads it over GET: valid documents in JSON and XML, the
standard's filters and paging, its error documents, the anonymous throttle, and privacy: nothing of a violation's
description, plate, media or reporter, and nothing of any reporter, ever appears."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from core.settings import Settings
from models.agencies import Agency
from models.decisions import Decision
from models.enums import DecisionOutcome, ReportStatus, Role
from models.reference import Ward
from models.reports import Report
from tests.helpers.auth_flows import clients_for
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller, make_caller, make_media, make_report
from tests.helpers.query_count import count_queries

BASE = "/open311/v2"
# GeoReport v2's fields and their JSON types (http://wiki.open311.org/GeoReport_v2): what a client may rely on.
SERVICE_FIELDS = {"service_code": str, "service_name": str, "description": str, "metadata": bool, "type": str,
                  "keywords": str, "group": str}  # fmt: skip
REQUEST_FIELDS: dict[str, tuple[type, ...]] = {
    "service_request_id": (str,), "status": (str,), "status_notes": (str,), "service_name": (str,),
    "service_code": (str,), "description": (str,), "agency_responsible": (str,), "service_notice": (str,),
    "requested_datetime": (str,), "updated_datetime": (str,), "expected_datetime": (str, type(None)),
    "address": (str,), "address_id": (str, type(None)), "zipcode": (str, type(None)), "lat": (float,),
    "long": (float,), "media_url": (str, type(None)),
}  # fmt: skip
W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")
PLATE = "30K-555.66"
SECRET = "Biển số 30K-555.66, người lái mặc áo đỏ"
ANSWER = "Đã xử phạt chủ xe 30K-555.66"


def assert_valid_request(document: dict[str, Any]) -> None:
    assert set(document) == set(REQUEST_FIELDS), document
    for name, types in REQUEST_FIELDS.items():
        assert isinstance(document[name], types), (name, document[name])
    assert document["status"] in ("open", "closed")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert document[name] is None or W3C_DATETIME.fullmatch(document[name]), (name, document[name])
    assert -90 <= document["lat"] <= 90
    assert -180 <= document["long"] <= 180


@pytest.fixture
async def city(citizen: Caller, officer: Caller, codec: Any) -> dict[str, Any]:
    """A violation full of what must never be published, and a road fault, which is published with its details."""
    now = datetime.now(UTC)
    witness = await make_caller(codec, Role.CITIZEN, full_name="Nguyễn Văn Chứng", phone="0987111222")
    violation = await make_report(
        witness.user,
        description=SECRET,
        plate_number=PLATE,
        address="Số 12 phố Hàng Bài",
        latitude=21.02511,
        longitude=105.85233,
        status=ReportStatus.PENALIZED,
        submitted_at=now - timedelta(hours=3),
        accepted_at=now,
        first_decided_at=now,
        closed_at=now,
        fine_amount_vnd=4_000_000,
    )
    evidence = await make_media(witness.user, report=violation, derivative_key="derived/violation-evidence.jpg")
    await Decision.create(
        report=violation,
        outcome=DecisionOutcome.PENALIZE,
        decided_by=officer.user,
        decided_at=now,
        response_to_citizen=ANSWER,
        fine_amount_vnd=4_000_000,
        legal_basis="Nghị định 168/2024/NĐ-CP",
    )
    fault = await make_report(
        citizen.user,
        category_id="ROAD_DAMAGE",
        description="Ổ gà lớn giữa làn xe máy",
        plate_number=None,
        address="Trước số 5 Tràng Tiền",
        latitude=21.02401,
        longitude=105.85602,
        submitted_at=now - timedelta(hours=1),
    )
    photo = await make_media(citizen.user, report=fault, derivative_key="derived/fault-photo.jpg")
    await Decision.create(
        report=fault,
        outcome=DecisionOutcome.ACCEPT,
        decided_by=officer.user,
        decided_at=now,
        response_to_citizen="Đã giao đơn vị duy tu sửa trong 48 giờ.",
    )
    return {"violation": violation, "evidence": evidence, "fault": fault, "photo": photo, "witness": witness}


async def get(client: httpx.AsyncClient, path: str, **params: str) -> httpx.Response:
    return await client.get(f"{BASE}/{path}", params=params)


async def test_services_are_the_categories(client: httpx.AsyncClient) -> None:
    response = await get(client, "services.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()
    assert len(services) >= 15
    for service in services:
        assert set(service) == set(SERVICE_FIELDS)
        assert all(isinstance(service[name], kind) for name, kind in SERVICE_FIELDS.items()), service
        assert service["type"] in ("realtime", "batch", "blackbox")
        assert service["metadata"] is False
    assert {"RED_LIGHT", "ROAD_DAMAGE"} <= {service["service_code"] for service in services}
    definition = (await get(client, "services/ROAD_DAMAGE.json")).json()
    assert definition == {"service_code": "ROAD_DAMAGE", "attributes": []}
    for unknown in ("services/NOPE.json", "services/red-light.json"):
        missing = await get(client, unknown)
        assert missing.status_code == 404
        assert missing.json() == [{"code": 404, "description": "No such service_code."}]
    xml = ElementTree.fromstring((await get(client, "services.xml")).content)
    assert xml.tag == "services"
    assert {s.findtext("service_code") for s in xml.iter("service")} >= {"RED_LIGHT"}
    assert xml.find("service/metadata").text == "false"  # type: ignore[union-attr]


async def test_discovery(client: httpx.AsyncClient, settings: Settings) -> None:
    document = (await get(client, "discovery.json")).json()
    assert document["endpoints"][0]["url"] == f"{settings.public_url}{BASE}/"
    assert document["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(document["endpoints"][0]["formats"]) == {"application/json", "text/xml"}
    xml = ElementTree.fromstring((await get(client, "discovery.xml")).content)
    assert [f.text for f in xml.iter("format")] == ["application/json", "text/xml"]


async def test_requests_map_our_reports(client: httpx.AsyncClient, city: dict[str, Any]) -> None:
    requests = (await get(client, "requests.json")).json()
    for document in requests:
        assert_valid_request(document)
    by_id = {document["service_request_id"]: document for document in requests}
    violation, fault = by_id[city["violation"].code], by_id[city["fault"].code]
    ward = await Ward.get(code="00070")
    assert violation == {
        "service_request_id": city["violation"].code,
        "status": "closed",
        "status_notes": "Đã xử lý vi phạm theo quy định.",
        "service_name": violation["service_name"],
        "service_code": "RED_LIGHT",
        "description": "",
        "agency_responsible": (await Agency.get(code="PC08")).name,
        "service_notice": "",
        "requested_datetime": city["violation"].submitted_at.isoformat(),
        "updated_datetime": violation["updated_datetime"],
        "expected_datetime": city["violation"].due_at.isoformat(),
        "address": f"{ward.name}, Hà Nội",
        "address_id": None,
        "zipcode": None,
        "lat": ward.latitude,
        "long": ward.longitude,
        "media_url": None,
    }
    assert fault["status"] == "open"
    assert fault["service_code"] == "ROAD_DAMAGE"
    assert fault["description"] == "Ổ gà lớn giữa làn xe máy"
    assert fault["status_notes"] == "Đã giao đơn vị duy tu sửa trong 48 giờ."
    assert (fault["lat"], fault["long"]) == (21.02401, 105.85602)
    assert fault["address"] == f"Trước số 5 Tràng Tiền, {ward.name}, Hà Nội"
    assert fault["media_url"]
    assert "fault-photo" in fault["media_url"]
    [single] = (await get(client, f"requests/{city['fault'].code}.json")).json()
    assert single["media_url"]
    assert {**single, "media_url": "signed anew"} == {**fault, "media_url": "signed anew"}  # a link is signed per read
    xml = ElementTree.fromstring((await get(client, f"requests/{city['violation'].code}.xml")).content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == city["violation"].code
    assert xml.findtext("request/media_url") == ""
    assert xml.findtext("request/description") == ""


async def test_no_violation_detail_or_reporter_ever_appears(client: httpx.AsyncClient, city: dict[str, Any]) -> None:
    witness: Caller = city["witness"]
    forbidden = [
        SECRET, PLATE, "30K55566", "555.66", ANSWER, "Hàng Bài", "21.02511", "105.85233",  # the violation's own
        str(city["evidence"].id), "violation-evidence", city["evidence"].object_key,  # its media
        str(witness.user.id), "Nguyễn Văn Chứng", "0987111222", "987111222",  # its reporter
        str(city["fault"].reporter_id), str(city["photo"].id),  # and any reporter, any media id
    ]  # fmt: skip
    code = city["violation"].code
    paths = ["services.json", "services.xml", "discovery.json", "requests.json", "requests.xml",
             f"requests/{code}.json", f"requests/{code}.xml", "services/RED_LIGHT.json"]  # fmt: skip
    for path in paths:
        text = (await get(client, path)).content.decode()
        assert [secret for secret in forbidden if secret in text] == [], path
    filtered = await get(client, "requests.json", service_code="RED_LIGHT", status="closed", service_request_id=code)
    assert [secret for secret in forbidden if secret in filtered.text] == []
    assert [document["service_request_id"] for document in filtered.json()] == [code]


async def test_filters_and_paging(client: httpx.AsyncClient, citizen: Caller) -> None:
    now = datetime.now(UTC)
    reports = [await make_report(citizen.user, submitted_at=now - timedelta(days=i)) for i in range(5)]
    old = await make_report(citizen.user, submitted_at=now - timedelta(days=120), status=ReportStatus.REJECTED)
    closed = await make_report(citizen.user, status=ReportStatus.RESOLVED, category_id="ROAD_DAMAGE")

    async def codes(**params: str) -> list[str]:
        response = await get(client, "requests.json", **params)
        assert response.status_code == 200, response.text
        return [document["service_request_id"] for document in response.json()]

    newest_first = [closed.code] + [r.code for r in reports]
    assert await codes() == newest_first  # the standard's default: the last 90 days
    assert await codes(page_size="2") == newest_first[:2]
    assert await codes(page_size="2", page="3") == newest_first[4:]
    assert await codes(status="closed") == [closed.code]
    assert await codes(status="open,closed", service_code="ROAD_DAMAGE") == [closed.code]
    assert await codes(service_code="RED_LIGHT,ILLEGAL_PARKING") == [r.code for r in reports]
    since = (now - timedelta(days=130)).isoformat()
    assert old.code in await codes(start_date=since)
    start, end = (now - timedelta(days=2, hours=12)).isoformat(), (now - timedelta(hours=12)).isoformat()
    assert await codes(start_date=start, end_date=end) == [reports[1].code, reports[2].code]
    # Codes override every other filter, as the standard says: the rejected report 120 days old is there too.
    assert await codes(service_request_id=f"{old.code},{reports[0].code}", status="open") == [reports[0].code, old.code]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"service_code": "red light"}, "service_code"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-11-01T00:00:00"}, "end_date"),
        ({"start_date": "0001-01-01T00:00:00Z"}, "start_date"),
        ({"page": "0"}, "page"),
        ({"page_size": "201"}, "page_size"),
        ({"page": "1e3"}, "page"),
        ({"service_request_id": "x" * 3000}, "service_request_id"),
        ({"service_code": ",".join(["RED_LIGHT"] * 101)}, "service_code"),
    ],
)
async def test_malformed_parameters_answer_the_standard_error(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    for extension in ("json", "xml"):
        response = await get(client, f"requests.{extension}", **params)
        assert response.status_code == 400
        if extension == "json":
            [error] = response.json()
            assert error["code"] == 400
            assert f"`{field}`" in error["description"]
        else:
            assert ElementTree.fromstring(response.content).findtext("error/code") == "400"
        assert response.headers["x-request-id"]


async def test_unknown_requests_and_formats(client: httpx.AsyncClient) -> None:
    for path in ("requests/PA-2026-999999.json", "requests/garbage.json", "requests.csv", "services.html"):
        response = await get(client, path)
        assert response.status_code == 404, path
        assert response.json()[0]["code"] == 404, path
    assert (await client.post(f"{BASE}/requests.json")).status_code == 405


async def test_a_page_of_requests_is_three_statements(client: httpx.AsyncClient, citizen: Caller) -> None:
    counts = []
    for size in (2, 12):
        for n in range(size):
            report = await make_report(citizen.user, category_id="ROAD_DAMAGE" if n % 2 else "RED_LIGHT")
            await make_media(citizen.user, report=report, derivative_key=f"derived/{report.id}.jpg")
        with count_queries() as log:
            assert len((await get(client, "requests.json", page_size=str(size))).json()) == size
        counts.append(log.count)
    assert counts == [3, 3]
    assert await Report.all().count() == 14


async def test_anonymous_readers_are_throttled(settings: Settings, tmp_path: Path) -> None:
    """One bucket per address for every anonymous read: GraphQL and Open311 together."""
    throttled = make_settings(settings.database_url, tmp_path, ANONYMOUS_REQUESTS_PER_MINUTE="20")
    async with clients_for(throttled, "198.51.100.8") as (crowded,):
        graphql = await asyncio.gather(*(crowded.post("/graphql", json={"query": "{ __typename }"}) for _ in range(10)))
        open311 = await asyncio.gather(*(get(crowded, "services.json") for _ in range(15)))
    assert [answer.status_code for answer in graphql] == [200] * 10
    assert sorted(answer.status_code for answer in open311) == [200] * 10 + [429] * 5
    refused = next(answer for answer in open311 if answer.status_code == 429)
    assert refused.headers["retry-after"]
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
