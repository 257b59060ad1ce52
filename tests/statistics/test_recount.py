"""Every field of `statistics`, series by day, week and month and response-time percentiles included, against a
recount of the reports table in Python: after known history, and after a burst of concurrent submissions and
decisions. Decisions within and after the legal deadline are recounted from the times themselves (closed at or
before the verification deadline). Also: where the figures are read from (the rollups for the city, the reports for
what they cannot serve), and the documented estimate of the percentiles from whole hours.
"""

from __future__ import annotations

import asyncio
import bisect
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise import connections

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.enums import Channel, ReportStatus, Role
from models.reports import Report
from services.reports.deadlines import verification_deadline
from tests.helpers.factories import Caller, make_caller, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ANSWER, HANOI, decide, submitted
from tests.helpers.statistics_api import COUNTERS, STATISTICS

HOUR = timedelta(hours=1)
DEADLINES = "decidedWithinLegalDeadline decidedAfterLegalDeadline"
DOCUMENT = STATISTICS.replace(COUNTERS, f"{COUNTERS} {DEADLINES}")
NAMES = [*COUNTERS.split(), *DEADLINES.split()]
BREAKDOWNS = {
    "byCategory": "category_id",
    "byAgency": "agency_id",
    "byWard": "ward_id",
    "byChannel": "channel",
    "byStatus": "status",
}
FILTERS = {"agencyId": "agency_id", "categoryCode": "category_id", "wardCode": "ward_id", "channel": "channel"}
FIELDS = (
    "submitted_at",
    "category_id",
    "agency_id",
    "ward_id",
    "channel",
    "status",
    "accepted_at",
    "first_decided_at",
    "fine_amount_vnd",
    "vehicle_impounded",
    "closed_at",
    "verification_due_at",
)


async def stats(
    client: httpx.AsyncClient, caller: Caller | None, interval: str = "MONTH", **filter: Any
) -> dict[str, Any]:
    """`statistics` with every counter, the legal deadline's included."""
    body = await gql(client, DOCUMENT, {"filter": filter, "interval": interval}, caller.token if caller else None)
    result: dict[str, Any] = only_data(body)["statistics"]
    return result


def counted(rows: list[dict[str, Any]]) -> dict[str, int]:
    penalized = [row for row in rows if row["status"] == ReportStatus.PENALIZED]
    verified = [
        row["closed_at"] <= row["verification_due_at"]
        for row in rows
        if row["status"] in {ReportStatus.PENALIZED, ReportStatus.RESOLVED} and row["verification_due_at"] is not None
    ]
    return {
        "received": len(rows),
        "accepted": sum(row["accepted_at"] is not None for row in rows),
        "rejected": sum(row["status"] == ReportStatus.REJECTED for row in rows),
        "penalized": len(penalized),
        "resolved": sum(row["status"] == ReportStatus.RESOLVED for row in rows),
        "finesTotalVnd": sum(row["fine_amount_vnd"] or 0 for row in penalized),
        "vehiclesImpounded": sum(bool(row["vehicle_impounded"]) for row in rows),
        "decidedWithinLegalDeadline": sum(verified),
        "decidedAfterLegalDeadline": len(verified) - sum(verified),
    }


def bucket_of(day: date, interval: str) -> date:
    if interval == "DAY":
        return day
    if interval == "WEEK":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def estimate(buckets: list[int], numerator: int, denominator: int) -> float | None:
    """The README's percentile from whole hours: rank (n - 1) * q, the k-th of m times in bucket h at h + k / m."""
    if not buckets:
        return None

    def at(rank: int) -> float:
        hour = buckets[rank]
        first = bisect.bisect_left(buckets, hour)
        return hour + (rank - first) / (bisect.bisect_right(buckets, hour) - first)

    rank, share = divmod((len(buckets) - 1) * numerator, denominator)
    low = at(rank)
    high = at(min(rank + 1, len(buckets) - 1))
    return round(low + share / denominator * (high - low), 2)


def exact(hours: list[float], fraction: float) -> float:
    position = (len(hours) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(hours) - 1)
    return hours[low] + (position - low) * (hours[high] - hours[low])


async def recount(wanted: dict[str, str], interval: str) -> dict[str, Any]:
    """What `statistics` must answer for `wanted`, counted from the reports table row by row."""
    first = date.fromisoformat(wanted["from"]) if "from" in wanted else date.min
    last = date.fromisoformat(wanted["to"]) if "to" in wanted else date.max
    rows = [
        row
        for row in await Report.all().values(*FIELDS)
        if first <= row["submitted_at"].astimezone(HANOI).date() <= last
        and all(str(row[column]) == wanted[name] for name, column in FILTERS.items() if name in wanted)
    ]
    result: dict[str, Any] = {"totals": counted(rows)}
    for field, column in BREAKDOWNS.items():
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[str(row[column])].append(row)
        result[field] = {key: counted(group) for key, group in groups.items()}
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        series[bucket_of(row["submitted_at"].astimezone(HANOI).date(), interval).isoformat()].append(row)
    result["series"] = [(start, counted(series[start])) for start in sorted(series)]
    decided = [row for row in rows if row["first_decided_at"] is not None]
    buckets = sorted((row["first_decided_at"] - row["submitted_at"]) // HOUR for row in decided)
    result["responseTimeHours"] = {
        "decided": len(decided),
        "median": estimate(buckets, 1, 2),
        "p90": estimate(buckets, 9, 10),
    }
    hours = sorted((row["first_decided_at"] - row["submitted_at"]) / HOUR for row in decided)
    for name, fraction in (("median", 0.5), ("p90", 0.9)):
        if hours:
            assert abs(result["responseTimeHours"][name] - exact(hours, fraction)) < 1
    return result


def as_answered(figures: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's answer in the recount's shape (breakdowns by key; series in order)."""
    result: dict[str, Any] = {"totals": {name: figures[name] for name in NAMES}}
    for field in BREAKDOWNS:
        result[field] = {entry["key"]: {name: entry[name] for name in NAMES} for entry in figures[field]}
    result["series"] = [(bucket["start"], {name: bucket[name] for name in NAMES}) for bucket in figures["series"]]
    result["responseTimeHours"] = figures["responseTimeHours"]
    return result


async def assert_recounted(client: httpx.AsyncClient, admin: Caller, wanted: dict[str, str]) -> None:
    for interval in ("DAY", "WEEK", "MONTH"):
        given = as_answered(await stats(client, admin, interval, **wanted))
        expected = await recount(wanted, interval)
        for key in ("median", "p90"):
            if expected["responseTimeHours"][key] is not None:
                assert given["responseTimeHours"][key] == pytest.approx(
                    expected["responseTimeHours"][key], abs=0.011
                ), (wanted, interval)
                given["responseTimeHours"][key] = expected["responseTimeHours"][key]
        assert given == expected, (wanted, interval)


async def write_history(citizen: Caller) -> None:
    """Eighty reports from late January to early May 2024 over three agencies, three wards and three channels, most
    decided between minutes and two weeks after submission, some exactly on whole hours; the accepted ones closed
    between a day and seven weeks later, within or after their legal deadline as the decision path judges it."""
    rng = random.Random(15)
    agencies = {"PC08": ("RED_LIGHT", "SPEEDING"), "CA-00070": ("ILLEGAL_PARKING",), "CA-00004": ("NO_HELMET",)}
    start = datetime(2024, 1, 25, tzinfo=UTC)
    for n in range(80):
        at = start + timedelta(seconds=rng.randrange(100 * 24 * 3600), microseconds=rng.randrange(1_000_000))
        agency = rng.choice(sorted(agencies))
        status = rng.choice(list(ReportStatus))
        open_ = status in {ReportStatus.ROUTED, ReportStatus.ASSIGNED}
        after = timedelta(hours=rng.randrange(12)) if n % 5 == 0 else timedelta(minutes=rng.randrange(20_000))
        accepted = status in {ReportStatus.ACCEPTED, ReportStatus.PENALIZED}
        due = verification_deadline(at + after) if accepted else None
        closed = None if open_ or status is ReportStatus.ACCEPTED else at + after + timedelta(hours=rng.randrange(1200))
        await make_report(
            citizen.user,
            agency,
            submitted_at=at,
            category_id=rng.choice(agencies[agency]),
            ward_id=rng.choice(("00070", "00004", "00008")),
            channel=rng.choice([Channel.ZALO, Channel.IHANOI, Channel.WEB]),
            status=status,
            first_decided_at=None if open_ else at + after,
            accepted_at=at + after if accepted else None,
            fine_amount_vnd=rng.randrange(1, 40) * 100_000 if status is ReportStatus.PENALIZED else None,
            vehicle_impounded=status is ReportStatus.PENALIZED and rng.random() < 0.3,
            verification_due_at=due,
            closed_at=closed,
            legal_deadline_met=None if due is None or closed is None else closed <= due,
        )


async def test_every_field_matches_a_recount_of_the_reports(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller
) -> None:
    await write_history(citizen)
    pc08 = str((await Agency.get(code="PC08")).id)
    for dates in ({}, {"from": "2024-02-15", "to": "2024-04-10"}, {"from": "2024-03-05", "to": "2024-03-20"}):
        for narrowing in (
            {},
            {"agencyId": pc08},
            {"categoryCode": "ILLEGAL_PARKING"},
            {"channel": "IHANOI"},
            {"wardCode": "00070"},
            {"agencyId": pc08, "channel": "ZALO"},
        ):
            await assert_recounted(client, admin, {**dates, **narrowing})


async def test_percentiles_are_estimated_from_whole_hours(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller
) -> None:
    """Decided after 1 h 30 min, 6 h 15 min and 10 h 45 min: hours 1, 6 and 10, each alone in its hour, so each is
    taken at its hour's start; the exact median would be 6.25 and the p90 9.85, each less than an hour away."""
    at = datetime(2024, 3, 31, 18, 0, tzinfo=UTC)
    for after in (timedelta(minutes=90), timedelta(minutes=375), timedelta(minutes=645)):
        await make_report(citizen.user, submitted_at=at, status=ReportStatus.REJECTED, first_decided_at=at + after)
    for caller in (admin, None):
        figures = await stats(client, caller)
        assert figures["responseTimeHours"] == {"decided": 3, "median": 6.0, "p90": 9.2}
    # Two more in the sixth hour share it evenly: 6, 6 1/3 and 6 2/3.
    for after in (timedelta(minutes=370), timedelta(minutes=400)):
        await make_report(citizen.user, submitted_at=at, status=ReportStatus.REJECTED, first_decided_at=at + after)
    figures = await stats(client, admin, wardCode="00070")  # read from the reports, estimated alike
    assert figures["responseTimeHours"] == {"decided": 5, "median": 6.33, "p90": 8.67}
    assert (await stats(client, admin))["responseTimeHours"] == figures["responseTimeHours"]


async def test_city_figures_are_read_from_the_rollups_not_the_reports(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller, officer: Caller
) -> None:
    await write_history(citizen)
    for caller, interval, wanted in (
        (admin, "DAY", {}),
        (admin, "WEEK", {}),
        (admin, "MONTH", {}),
        (admin, "DAY", {"from": "2024-02-01", "to": "2024-04-30"}),  # whole months
        (officer, "WEEK", {}),
        (admin, "DAY", {"categoryCode": "RED_LIGHT"}),
        (admin, "DAY", {"channel": "ZALO"}),
    ):
        with count_queries() as log:
            await stats(client, caller, interval, **wanted)
        assert not [sql for sql in log.statements if "FROM report" in sql], (interval, wanted)
    with count_queries() as log:
        await stats(client, admin, "DAY", wardCode="00070")
    assert len([sql for sql in log.statements if "FROM report" in sql]) == 2  # series and percentiles


async def test_a_burst_of_concurrent_submissions_and_decisions_keeps_every_figure_exact(
    client: httpx.AsyncClient, codec: TokenCodec, citizen: Caller, admin: Caller
) -> None:
    await write_history(citizen)
    citizens = [await make_caller(codec, Role.CITIZEN, phone=f"09123450{n:02d}") for n in range(6)]
    officers = [await make_caller(codec, Role.OFFICER, "PC08") for _ in range(4)]
    reports = await asyncio.gather(*(submitted(client, caller) for caller in citizens for _ in range(4)))
    assert len({report["id"] for report in reports}) == 24

    def first(n: int, report: dict[str, Any]) -> Any:
        if n % 3 == 2:
            return decide(client, officers[n % 4], report["id"], outcome="REJECT", responseToCitizen=ANSWER)
        return decide(client, officers[n % 4], report["id"], outcome="ACCEPT")

    for body in await asyncio.gather(*(first(n, report) for n, report in enumerate(reports))):
        only_data(body)
    penalties = [
        decide(
            client,
            officers[(n + 1) % 4],
            report["id"],
            outcome="PENALIZE",
            responseToCitizen=ANSWER,
            fineAmountVnd=(n + 1) * 1_000_000,
            legalBasis="Nghị định 168/2024/NĐ-CP, Điều 6, khoản 9",
            vehicleImpounded=n % 2 == 0,
        )
        for n, report in enumerate(reports)
        if n % 3 == 0
    ]
    for body in await asyncio.gather(*penalties):
        only_data(body)
    pc08 = str((await Agency.get(code="PC08")).id)
    today = datetime.now(HANOI).date().isoformat()
    for wanted in ({}, {"agencyId": pc08}, {"from": today}, {"channel": "ZALO", "from": today}):
        await assert_recounted(client, admin, wanted)
    shards = await connections.get("default").execute_query_dict(
        "SELECT COUNT(DISTINCT shard) AS n FROM statistics_daily WHERE grain = 0 AND received <> 0"
    )
    assert int(shards[0]["n"]) > 1  # today's submissions spread over several rows


async def test_durations_a_microsecond_either_side_of_an_hour_fall_in_the_right_hour(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller
) -> None:
    """The rollup (Python) and the reports (SQL) must put each duration in the same hour, to the microsecond, whatever
    the offset a time was written with; the suite's drift check after the test compares them row by row."""
    at = datetime(2024, 3, 31, 18, 0, 0, 999_600, tzinfo=UTC)
    for start, after in (
        (at, HOUR - timedelta(microseconds=1)),
        (at, HOUR),
        (at, -timedelta(microseconds=1)),
        (at.astimezone(HANOI), 2 * HOUR + timedelta(microseconds=400)),
        (at.replace(microsecond=0), 3 * HOUR - timedelta(microseconds=1)),
    ):
        await make_report(
            citizen.user, submitted_at=start, status=ReportStatus.REJECTED, first_decided_at=start + after
        )
    await assert_recounted(client, admin, {})
    await assert_recounted(client, admin, {"wardCode": "00070"})
