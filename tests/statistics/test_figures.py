"""`statistics` through the endpoint: who sees what, exact figures on known data, and deltas as reports move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from models.agencies import Agency
from models.enums import Channel, ReportStatus
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ANSWER, decide, submitted
from tests.helpers.statistics_api import TOTALS, ZERO, counters, stats


async def two_agencies(citizen: Caller) -> None:
    """Three PC08 reports (one penalized with an impoundment, one rejected, one open) and one ward-police report."""
    at = datetime(2024, 3, 31, 18, 0, tzinfo=UTC)  # 1 April 2024, 01:00 in Hanoi
    await make_report(
        citizen.user,
        submitted_at=at,
        status=ReportStatus.PENALIZED,
        accepted_at=at + timedelta(hours=1),
        first_decided_at=at + timedelta(hours=1),
        fine_amount_vnd=4_000_000,
        vehicle_impounded=True,
    )
    await make_report(
        citizen.user,
        submitted_at=at - timedelta(days=1),
        status=ReportStatus.REJECTED,
        first_decided_at=at - timedelta(hours=18),
    )
    await make_report(citizen.user, submitted_at=at + timedelta(days=40), channel=Channel.IHANOI)
    await make_report(
        citizen.user,
        "CA-00070",
        category_id="ILLEGAL_PARKING",
        submitted_at=at,
        status=ReportStatus.ACCEPTED,
        accepted_at=at + timedelta(hours=10),
        first_decided_at=at + timedelta(hours=10),
    )


async def test_admins_see_the_city_with_every_breakdown(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller
) -> None:
    await two_agencies(citizen)
    figures = await stats(client, admin)
    assert figures["audience"] == "CITY"
    assert counters(figures) == {
        "received": 4,
        "accepted": 2,
        "rejected": 1,
        "penalized": 1,
        "resolved": 0,
        "finesTotalVnd": 4_000_000,
        "vehiclesImpounded": 1,
    }
    pc08 = await Agency.get(code="PC08")
    by_agency = {entry["key"]: (entry["name"], entry["received"]) for entry in figures["byAgency"]}
    assert by_agency[str(pc08.id)] == (pc08.name, 3)
    assert sorted(by_agency.values())[0][1] == 1
    assert [(e["key"], e["received"], e["accepted"]) for e in figures["byCategory"]] == [
        ("RED_LIGHT", 3, 1),
        ("ILLEGAL_PARKING", 1, 1),
    ]
    assert figures["byCategory"][0]["name"].startswith("Vượt đèn đỏ")
    assert [(e["key"], e["name"], e["received"]) for e in figures["byWard"]] == [("00070", "Phường Hoàn Kiếm", 4)]
    assert {e["key"]: e["received"] for e in figures["byChannel"]} == {"ZALO": 3, "IHANOI": 1}
    assert {e["key"]: e["received"] for e in figures["byStatus"]} == {
        "PENALIZED": 1,
        "REJECTED": 1,
        "ROUTED": 1,
        "ACCEPTED": 1,
    }
    # Months in Hanoi time: 18:00 UTC on 31 March is already April there.
    assert [(b["start"], b["received"], b["penalized"]) for b in figures["series"]] == [
        ("2024-03-01", 1, 0),
        ("2024-04-01", 2, 1),
        ("2024-05-01", 1, 0),
    ]
    # Decided after 1, 6 and 10 hours (the rejection 6 hours after its submission the day before).
    assert figures["responseTimeHours"] == {"decided": 3, "median": 6.0, "p90": 9.2}


async def test_series_by_day_and_week_in_hanoi_time(client: httpx.AsyncClient, citizen: Caller, admin: Caller) -> None:
    await two_agencies(citizen)
    days = await stats(client, admin, "DAY")
    assert [(b["start"], b["received"]) for b in days["series"]] == [
        ("2024-03-31", 1),
        ("2024-04-01", 2),
        ("2024-05-11", 1),
    ]
    weeks = await stats(client, admin, "WEEK")
    assert [(b["start"], b["received"]) for b in weeks["series"]] == [
        ("2024-03-25", 1),  # Sunday 31 March belongs to the week of Monday 25 March
        ("2024-04-01", 2),
        ("2024-05-06", 1),
    ]


async def test_filters_narrow_every_figure(client: httpx.AsyncClient, citizen: Caller, admin: Caller) -> None:
    await two_agencies(citizen)
    april = await stats(client, admin, **{"from": "2024-04-01", "to": "2024-04-30"})
    assert (april["received"], april["penalized"], april["responseTimeHours"]["decided"]) == (2, 1, 2)
    assert (await stats(client, admin, categoryCode="ILLEGAL_PARKING"))["received"] == 1
    assert (await stats(client, admin, channel=Channel.IHANOI))["received"] == 1
    assert (await stats(client, admin, wardCode="00004"))["received"] == 0
    pc08 = await Agency.get(code="PC08")
    assert (await stats(client, admin, agencyId=str(pc08.id)))["received"] == 3
    empty = await stats(client, admin, **{"from": "2030-01-01"})
    assert counters(empty) == ZERO
    assert empty["byCategory"] == []
    assert empty["series"] == []
    assert empty["responseTimeHours"] == {"decided": 0, "median": None, "p90": None}


async def test_staff_see_their_own_agency_only(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller, other_officer: Caller
) -> None:
    await two_agencies(citizen)
    for caller in (officer, agency_admin):
        mine = await stats(client, caller)
        assert (mine["audience"], mine["received"], len(mine["byAgency"])) == ("AGENCY", 3, 1)
    theirs = await stats(client, other_officer)
    assert (theirs["audience"], theirs["received"], theirs["accepted"]) == ("AGENCY", 1, 1)
    pc08 = await Agency.get(code="PC08")
    assert (await stats(client, officer, agencyId=str(pc08.id)))["received"] == 3
    body = await gql(client, TOTALS, {"filter": {"agencyId": str(pc08.id)}}, other_officer.token)
    assert_refused(body, "FORBIDDEN")
    assert body["data"] is None


async def test_citizens_and_anonymous_callers_see_the_public_city_figures(
    client: httpx.AsyncClient, citizen: Caller
) -> None:
    await two_agencies(citizen)
    for caller in (citizen, None):
        public = await stats(client, caller)
        assert (public["audience"], public["received"], public["finesTotalVnd"]) == ("PUBLIC", 4, 4_000_000)
        assert len(public["byAgency"]) == 2


async def test_bad_filters_are_bad_user_input(client: httpx.AsyncClient, admin: Caller) -> None:
    cases = [({"agencyId": "not-an-id"}, "filter.agencyId"), ({"from": "2024-05-02", "to": "2024-05-01"}, "filter.to")]
    for filter, field in cases:
        body = await gql(client, TOTALS, {"filter": filter}, admin.token)
        assert_refused(body, "BAD_USER_INPUT")
        assert body["errors"][0]["extensions"]["field"] == field
    body = await gql(client, TOTALS, {"filter": {"from": "yesterday"}}, admin.token)
    assert_refused(body, "BAD_USER_INPUT")


async def test_figures_move_exactly_as_reports_are_decided(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    await two_agencies(citizen)
    before = counters(await stats(client, admin))

    def delta(now: dict[str, Any]) -> dict[str, int]:
        return {name: value - before[name] for name, value in counters(now).items() if value != before[name]}

    first = await submitted(client, citizen)
    second = await submitted(client, citizen, plateNumber="30K99999")
    assert delta(await stats(client, admin)) == {"received": 2}
    only_data(await decide(client, officer, first["id"], outcome="ACCEPT"))
    only_data(await decide(client, officer, second["id"], outcome="REJECT", responseToCitizen=ANSWER))
    assert delta(await stats(client, admin)) == {"received": 2, "accepted": 1, "rejected": 1}
    only_data(
        await decide(
            client,
            officer,
            first["id"],
            outcome="PENALIZE",
            responseToCitizen=ANSWER,
            fineAmountVnd=18_000_000,
            legalBasis="Nghị định 168/2024/NĐ-CP, Điều 6, khoản 9",
            vehicleImpounded=True,
        )
    )
    after = await stats(client, admin)
    assert delta(after) == {
        "received": 2,
        "accepted": 1,
        "rejected": 1,
        "penalized": 1,
        "finesTotalVnd": 18_000_000,
        "vehiclesImpounded": 1,
    }
    assert after["responseTimeHours"]["decided"] == 5


async def test_statements_do_not_grow_with_the_data(client: httpx.AsyncClient, citizen: Caller, admin: Caller) -> None:
    counts = []
    for _ in range(2):
        await two_agencies(citizen)
        with count_queries() as log:
            await stats(client, admin)
        counts.append(log.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4  # the caller's user, then summary, series and response times
