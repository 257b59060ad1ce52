"""The figures as frontends read them. Totals, breakdown entries and time buckets carry the same counters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from schema.base.enums import StatisticsAudience, StatisticsInterval
from schema.base.info import Info
from schema.base.scalars import BigInt
from services.statistics import figures as statistics
from services.statistics.figures import Bucket, Counters, Entry, ResponseTimes, Scope, Summary


@strawberry.interface(name="StatisticsCounters", description="The counters every level of `Statistics` carries.")
class CountersType:
    received: int = strawberry.field(description="Reports received (submitted).")
    accepted: int = strawberry.field(
        description="Reports that reached sufficient basis to verify, including those later penalized or resolved."
    )
    rejected: int = strawberry.field(description="Reports rejected for insufficient basis.")
    penalized: int = strawberry.field(description="Reports that ended in a fine.")
    resolved: int = strawberry.field(description="Reports handled without a fine (infrastructure fixed, warnings).")
    fines_total_vnd: BigInt = strawberry.field(description="Sum of the fines of penalized reports, in đồng.")
    vehicles_impounded: int = strawberry.field(description="Penalized reports whose vehicle was impounded.")
    decided_within_legal_deadline: int = strawberry.field(
        description="Accepted reports whose verification a decision (PENALIZE, RESOLVE) ended within its legal "
        "deadline (30 days from acceptance, or the one extension)."
    )
    decided_after_legal_deadline: int = strawberry.field(
        description="Accepted reports whose verification a decision ended after its legal deadline."
    )

    @staticmethod
    def values(counters: Counters) -> dict[str, Any]:
        return {
            "received": counters.received,
            "accepted": counters.accepted,
            "rejected": counters.rejected,
            "penalized": counters.penalized,
            "resolved": counters.resolved,
            "fines_total_vnd": BigInt(counters.fines_vnd),
            "vehicles_impounded": counters.impounded,
            "decided_within_legal_deadline": counters.within_deadline,
            "decided_after_legal_deadline": counters.after_deadline,
        }


@strawberry.type(name="StatisticsEntry", description="The counters of one category, agency, ward, channel or status.")
class EntryType(CountersType):
    key: str = strawberry.field(
        description="Category code, agency id, ward code, channel or status, depending on the breakdown."
    )
    name: str | None = strawberry.field(description="Its name, for categories, agencies and wards; else null.")

    @classmethod
    def from_entry(cls, entry: Entry) -> EntryType:
        return cls(key=entry.key, name=entry.name, **CountersType.values(entry.counters))


@strawberry.type(name="StatisticsBucket", description="The counters of the reports submitted in one time bucket.")
class BucketType(CountersType):
    start: date = strawberry.field(description="The bucket's first day, in Hanoi time.")

    @classmethod
    def from_bucket(cls, bucket: Bucket) -> BucketType:
        return cls(start=bucket.start, **CountersType.values(bucket.counters))


@strawberry.type(name="ResponseTimes", description="Hours from submission to the first decision.")
class ResponseTimesType:
    decided: int = strawberry.field(description="Reports decided at least once: the population measured.")
    median: float | None = strawberry.field(
        description="Median hours, estimated from whole hours: less than an hour from the exact value; null when "
        "nothing was decided."
    )
    p90: float | None = strawberry.field(
        description="90th percentile hours, estimated from whole hours: less than an hour from the exact value; null "
        "when nothing was decided."
    )

    @classmethod
    def from_times(cls, times: ResponseTimes) -> ResponseTimesType:
        return cls(decided=times.decided, median=times.median_hours, p90=times.p90_hours)


@strawberry.type(
    name="Statistics",
    description="Figures over the reports the filter selects, by submission date. Agency staff always get their own "
    "agency's; admins the city's; citizens and anonymous callers the city's public figures.",
)
class StatisticsType(CountersType):
    audience: StatisticsAudience = strawberry.field(description="Whose figures these are.")
    by_category: list[EntryType] = strawberry.field(description="Per category, most reports first.")
    by_agency: list[EntryType] = strawberry.field(description="Per handling agency (key: agency id).")
    by_ward: list[EntryType] = strawberry.field(description="Per ward or commune.")
    by_channel: list[EntryType] = strawberry.field(
        description="Per channel (ZALO, IHANOI, WEB, HOTLINE, WALK_IN, POST)."
    )
    by_status: list[EntryType] = strawberry.field(description="Per current status.")
    scope: strawberry.Private[Scope]

    @classmethod
    def from_summary(cls, summary: Summary) -> StatisticsType:
        entries = {
            dimension: [EntryType.from_entry(entry) for entry in found]
            for dimension, found in summary.breakdowns.items()
        }
        return cls(
            audience=summary.scope.audience,
            by_category=entries["category"],
            by_agency=entries["agency"],
            by_ward=entries["ward"],
            by_channel=entries["channel"],
            by_status=entries["status"],
            scope=summary.scope,
            **CountersType.values(summary.totals),
        )

    @strawberry.field(description="Counters per time bucket of submission; buckets without reports are left out.")
    async def series(
        self,
        info: Info,
        interval: Annotated[
            StatisticsInterval, strawberry.argument(description="DAY, WEEK or MONTH, in Hanoi time.")
        ] = StatisticsInterval.MONTH,
    ) -> list[BucketType]:
        return [BucketType.from_bucket(bucket) for bucket in await statistics.series(self.scope, interval)]

    @strawberry.field(description="Median and 90th percentile hours from submission to the first decision.")
    async def response_time_hours(self, info: Info) -> ResponseTimesType:
        return ResponseTimesType.from_times(await statistics.response_times(self.scope))
