"""`statistics` as the frontends ask it, shared by the statistics tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data

COUNTERS = "received accepted rejected penalized resolved finesTotalVnd vehiclesImpounded"
STATISTICS = f"""
query($filter: StatisticsFilter, $interval: StatisticsInterval!) {{
  statistics(filter: $filter) {{
    audience {COUNTERS}
    byCategory {{ key name {COUNTERS} }}
    byAgency {{ key name {COUNTERS} }}
    byWard {{ key name {COUNTERS} }}
    byChannel {{ key name {COUNTERS} }}
    byStatus {{ key name {COUNTERS} }}
    series(interval: $interval) {{ start {COUNTERS} }}
    responseTimeHours {{ decided median p90 }}
  }}
}}
"""
TOTALS = f"query($filter: StatisticsFilter) {{ statistics(filter: $filter) {{ audience {COUNTERS} }} }}"
ZERO = dict.fromkeys(COUNTERS.split(), 0)


async def stats(
    client: httpx.AsyncClient, caller: Caller | None, interval: str = "MONTH", **filter: Any
) -> dict[str, Any]:
    body = await gql(client, STATISTICS, {"filter": filter, "interval": interval}, caller.token if caller else None)
    result: dict[str, Any] = only_data(body)["statistics"]
    return result


def counters(figures: dict[str, Any]) -> dict[str, int]:
    return {name: figures[name] for name in ZERO}
