"""The statistics read whole months from the rollup and the days around them from the reports: every range and
filter must give what counting the reports one by one gives, and every write must keep the rollup exact.

(The suite also compares the rollup with the reports after every test: see `clean_database` in conftest.)
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.agencies import Agency
from models.enums import Channel, ReportStatus
from services.statistics import rollup
from services.statistics.tables import TABLES
from tests.helpers.factories import Caller, make_report
from tests.helpers.graphql import gql, only_data
from tests.helpers.reports_api import ANSWER, ASSIGN, HANOI, decide, submitted
from tests.helpers.statistics_api import COUNTERS, ZERO, stats

BREAKDOWNS = {"byCategory": "category", "byAgency": "agency", "byWard": "ward", "byChannel": "channel"}
AGENCIES = {"PC08": ("RED_LIGHT", "SPEEDING"), "CA-00070": ("ILLEGAL_PARKING",), "CA-00004": ("NO_HELMET",)}
WARDS = ("00070", "00004", "00008")
# Hanoi midnights that open a month, and the instants either side of them.
EDGES = (
    datetime(2024, 2, 29, 16, 59, 59, tzinfo=UTC),
    datetime(2024, 2, 29, 17, 0, tzinfo=UTC),
    datetime(2024, 3, 31, 16, 59, 59, tzinfo=UTC),
    datetime(2024, 3, 31, 17, 0, tzinfo=UTC),
)
RANGES: list[dict[str, str]] = [
    {},
    {"from": "2024-03-01", "to": "2024-03-31"},
    {"from": "2024-02-15", "to": "2024-04-10"},
    {"from": "2024-03-05", "to": "2024-03-20"},
    {"from": "2024-02-15"},
    {"to": "2024-03-31"},
    {"to": "2024-04-10"},
    {"from": "2024-03-01", "to": "2024-03-01"},
    {"from": "2024-02-29", "to": "2024-04-01"},
]


@dataclass(frozen=True)
class Known:
    """One report as the test wrote it: what counting by hand needs."""

    day: date
    category: str
    agency: str
    ward: str
    channel: str
    status: ReportStatus
    accepted: bool
    fine: int
    impounded: bool

    def counters(self) -> dict[str, int]:
        return {
            "received": 1,
            "accepted": int(self.accepted),
            "rejected": int(self.status is ReportStatus.REJECTED),
            "penalized": int(self.status is ReportStatus.PENALIZED),
            "resolved": int(self.status is ReportStatus.RESOLVED),
            "finesTotalVnd": self.fine,
            "vehiclesImpounded": int(self.impounded),
        }


async def write_known_reports(citizen: Caller) -> list[Known]:
    """Sixty reports from late January to early May 2024, a few exactly on month boundaries, in every status."""
    rng = random.Random(11)
    ids = {code: str((await Agency.get(code=code)).id) for code in AGENCIES}
    start = datetime(2024, 1, 25, tzinfo=UTC)
    known = []
    for n in range(60):
        at = EDGES[n] if n < len(EDGES) else start + timedelta(minutes=rng.randrange(100 * 24 * 60))
        agency = rng.choice(sorted(AGENCIES))
        status = rng.choice(list(ReportStatus))
        accepted = status in {ReportStatus.ACCEPTED, ReportStatus.PENALIZED} or (
            status is ReportStatus.RESOLVED and rng.random() < 0.5
        )
        fine = rng.randrange(1, 40) * 100_000 if status is ReportStatus.PENALIZED else 0
        impounded = status is ReportStatus.PENALIZED and rng.random() < 0.3
        fields: dict[str, Any] = {
            "submitted_at": at,
            "category_id": rng.choice(AGENCIES[agency]),
            "ward_id": rng.choice(WARDS),
            "channel": rng.choice([Channel.ZALO, Channel.IHANOI, Channel.WEB]),
            "status": status,
            "accepted_at": at + timedelta(hours=2) if accepted else None,
            "first_decided_at": None if status in {ReportStatus.ROUTED, ReportStatus.ASSIGNED} else at,
            "fine_amount_vnd": fine or None,
            "vehicle_impounded": impounded,
        }
        await make_report(citizen.user, agency, **fields)
        known.append(
            Known(
                at.astimezone(HANOI).date(),
                fields["category_id"],
                ids[agency],
                fields["ward_id"],
                fields["channel"].value,
                status,
                accepted,
                fine,
                impounded,
            )
        )
    return known


def by_hand(known: list[Known], wanted: dict[str, str]) -> dict[str, Any]:
    """The figures `statistics` should give for `wanted`, counted report by report."""
    first = date.fromisoformat(wanted["from"]) if "from" in wanted else date.min
    last = date.fromisoformat(wanted["to"]) if "to" in wanted else date.max
    picks = {"agencyId": "agency", "categoryCode": "category", "wardCode": "ward", "channel": "channel"}
    chosen = [
        report
        for report in known
        if first <= report.day <= last
        and all(getattr(report, attribute) == wanted[name] for name, attribute in picks.items() if name in wanted)
    ]
    totals = dict(ZERO)
    groups: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for report in chosen:
        keys = {field: getattr(report, attribute) for field, attribute in BREAKDOWNS.items()}
        keys["byStatus"] = report.status.value
        keys["series"] = report.day.replace(day=1).isoformat()
        for name, value in report.counters().items():
            totals[name] += value
            for field, key in keys.items():
                entry = groups[field].setdefault(key, dict(ZERO))
                entry[name] += value
    return {"totals": totals, **groups}


def as_given(figures: dict[str, Any]) -> dict[str, Any]:
    """The same shape from the endpoint's answer."""
    names = COUNTERS.split()
    result: dict[str, Any] = {"totals": {name: figures[name] for name in names}}
    for field in (*BREAKDOWNS, "byStatus"):
        result[field] = {entry["key"]: {name: entry[name] for name in names} for entry in figures[field]}
    result["series"] = {bucket["start"]: {name: bucket[name] for name in names} for bucket in figures["series"]}
    return {field: value for field, value in result.items() if value}


async def test_every_range_and_filter_matches_counting_the_reports(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller
) -> None:
    known = await write_known_reports(citizen)
    pc08 = str((await Agency.get(code="PC08")).id)
    filters: list[dict[str, str]] = [
        {},
        {"agencyId": pc08},
        {"categoryCode": "RED_LIGHT"},
        {"wardCode": "00070"},
        {"channel": "ZALO"},
        {"categoryCode": "ILLEGAL_PARKING", "channel": "IHANOI"},
    ]
    for dates in RANGES:
        for narrowing in filters:
            wanted = {**dates, **narrowing}
            expected = {field: value for field, value in by_hand(known, wanted).items() if value}
            if not any(expected["totals"].values()):
                expected.pop("totals")
            given = as_given(await stats(client, admin, "MONTH", **wanted))
            if not any(given["totals"].values()):
                given.pop("totals")
            assert given == expected, wanted


async def test_a_transfer_moves_the_report_between_agencies(
    client: httpx.AsyncClient, citizen: Caller, admin: Caller, other_officer: Caller
) -> None:
    report = await submitted(client, citizen)
    ca = await Agency.get(code="CA-00070")
    before = await stats(client, admin)
    assert [(entry["key"], entry["received"]) for entry in before["byAgency"]] == [(report["agency"]["id"], 1)]
    moved = await gql(
        client, ASSIGN, {"id": report["id"], "agencyId": str(ca.id), "reason": "Thuộc công an phường"}, admin.token
    )
    only_data(moved)
    await decide(client, other_officer, report["id"], outcome="REJECT", responseToCitizen=ANSWER)
    after = await stats(client, admin)
    assert [(entry["key"], entry["received"], entry["rejected"]) for entry in after["byAgency"]] == [(str(ca.id), 1, 1)]
    assert [(entry["key"], entry["received"]) for entry in after["byStatus"]] == [("REJECTED", 1)]
    assert after["received"] == 1


async def test_a_rebuild_gives_back_what_the_writes_kept(citizen: Caller) -> None:
    await write_known_reports(citizen)
    connection = connections.get("default")
    kept = await rollup_rows(connection)
    assert len(kept["statistics_rollup"]) > 60
    assert len(kept["statistics_daily"]) > 60
    assert len(kept["statistics_response"]) >= 4
    assert kept["statistics_cell"]
    async with in_transaction() as transaction:
        assert await rollup.rebuild(transaction) == sum(len(rows) for rows in kept.values())
    assert await rollup_rows(connection) == kept
    await connection.execute_query("UPDATE statistics_rollup SET fines = fines + 1 WHERE grain = 1")
    found = await rollup.drift(connection)
    assert {row["side"] for row in found} == {"reports", "rollup"}
    assert {(row["grain"], row["rollup"]) for row in found} == {(1, "statistics_rollup")}
    async with in_transaction() as transaction:
        await rollup.rebuild(transaction)
    assert await rollup.drift(connection) == []


async def rollup_rows(connection: BaseDBAsyncClient) -> dict[str, list[tuple[Any, ...]]]:
    """Each rollup's rows, their shards summed (a rebuild puts everything in shard 0)."""
    kept = {}
    for table in TABLES:
        keys = ", ".join(table.key_columns)
        sums = ", ".join(f"SUM({name})" for name in table.counters)
        rows = await connection.execute_query_dict(
            f"SELECT {keys}, {sums} FROM {table.name} GROUP BY {keys} HAVING SUM({table.counters[0]}) <> 0 "
            f"ORDER BY {keys}"
        )
        width = len(table.key_columns)
        kept[table.name] = [
            (*list(row.values())[:width], *(int(value) for value in list(row.values())[width:])) for row in rows
        ]
    rows = await connection.execute_query_dict(
        "SELECT cell, category, agency, status, SUM(reports) AS n FROM statistics_cell "
        "GROUP BY cell, category, agency, status HAVING SUM(reports) <> 0 ORDER BY cell, category, agency, status"
    )
    kept["statistics_cell"] = [(r["cell"], r["category"], r["agency"], r["status"], int(r["n"])) for r in rows]
    return kept
