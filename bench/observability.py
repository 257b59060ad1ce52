"""What counting GraphQL operations costs: the served schema with its observers (`api.metrics.OperationMetrics`: one
timing and two counter updates per operation, nothing per field) against the same schema without them, the anchor,
in the same process and run, rounds interleaved, the best round of each kept.

    python -m bench.observability [--operations 3000] [--smoke]

The operation asks nothing of the database, so that the figures are the GraphQL layer's alone, where the
observers' share is the largest it can be: a real query's resolvers and SQL only make it smaller.
"""

from __future__ import annotations

import time

from api.graphql import query_limits
from api.metrics import OperationMetrics
from bench.cli import SMOKE_NOTE, fail, machine, parser, run
from core.settings import Settings
from schema import Schema, build_schema

DOCUMENT = "query Probe { __typename a: __typename b: __typename }"
ROUNDS = 15


async def per_operation_us(schema: Schema, operations: int) -> float:
    started = time.perf_counter()
    for _ in range(operations):
        result = await schema.execute(DOCUMENT)
        if result.errors or result.data != {"__typename": "Query", "a": "Query", "b": "Query"}:
            fail(f"unexpected answer {result.data} {result.errors}")
    return (time.perf_counter() - started) / operations * 1e6


async def main(operations: int, smoke: bool) -> None:
    settings = Settings.from_env({"DATABASE_URL": "sqlite://:memory:", "STORAGE_URL": "file:///nowhere"})
    anchor = build_schema(query_limits(settings))
    observed = build_schema(query_limits(settings), [OperationMetrics])
    best = {"anchor": float("inf"), "observed": float("inf")}
    for _ in range(2 if smoke else ROUNDS):
        best["anchor"] = min(best["anchor"], await per_operation_us(anchor, operations))
        best["observed"] = min(best["observed"], await per_operation_us(observed, operations))
    if smoke:
        print(SMOKE_NOTE)
    print(machine())
    print(f"\n{operations} operations per round, best of the rounds\n")
    print("| schema | µs per operation | ratio to the anchor |")
    print("| --- | --- | --- |")
    print(f"| anchor: no observers | {best['anchor']:.0f} | 1.00 |")
    print(f"| with OperationMetrics | {best['observed']:.0f} | {best['observed'] / best['anchor']:.2f} |")


if __name__ == "__main__":
    arguments = parser(__doc__)
    arguments.add_argument("--operations", type=int, default=3000, help="operations per round and schema")
    parsed = arguments.parse_args()
    run(main(20 if parsed.smoke else parsed.operations, parsed.smoke))
