"""The statistics rollups: report counters per Hanoi month and per Hanoi day, and a histogram of response times.

A city-wide figure summed from the reports themselves is a scan of every report, about 650 ms at a million of them.
Summed from these rows it is a few thousand rows. `services/statistics/rollup.py` keeps the rows in the transaction
of every write and can rebuild them from the reports; `services/statistics/tables.py` says which grains each keeps.
The rows are derived data: the reports stay the truth.

Every row carries a `shard`: a write adds to its report's shard (one of 16), so that concurrent submissions of the
same month do not queue on one row; reads sum the shards, and a rebuild puts everything back in shard 0. A dimension
a grain leaves out holds the empty string, so the key stays unique without NULLs, which unique indexes treat as
distinct. A row whose counters all went back to zero stays until the next rebuild and is never shown.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class StatisticsRollup(Model):
    """Counters of the reports submitted in one Hanoi month that share one grain and its key.

    `grain` is a bit set of the dimensions the row keeps (category, agency, ward, channel, status).
    """

    id = fields.BigIntField(primary_key=True)
    grain = fields.SmallIntField()
    month = fields.DateField()
    category = fields.CharField(max_length=40, default="")
    agency = fields.CharField(max_length=36, default="")
    ward = fields.CharField(max_length=10, default="")
    channel = fields.CharField(max_length=10, default="")
    status = fields.CharField(max_length=20, default="")
    shard = fields.SmallIntField(default=0)
    received = fields.BigIntField(default=0)
    accepted = fields.BigIntField(default=0)
    rejected = fields.BigIntField(default=0)
    penalized = fields.BigIntField(default=0)
    resolved = fields.BigIntField(default=0)
    fines = fields.BigIntField(default=0)
    impounded = fields.BigIntField(default=0)
    within_deadline = fields.BigIntField(default=0)
    after_deadline = fields.BigIntField(default=0)

    class Meta:
        table = "statistics_rollup"
        unique_together = (("grain", "month", "category", "agency", "ward", "channel", "status", "shard"),)
        indexes = (("grain", "agency", "month"), ("grain", "category", "month"), ("grain", "ward", "month"))


class StatisticsDaily(Model):
    """Counters of the reports submitted in one Hanoi day, for the whole city (grain 0) or one category (1), agency
    (2) or channel (8): what the DAY and WEEK series read."""

    id = fields.BigIntField(primary_key=True)
    grain = fields.SmallIntField()
    day = fields.DateField()
    category = fields.CharField(max_length=40, default="")
    agency = fields.CharField(max_length=36, default="")
    channel = fields.CharField(max_length=10, default="")
    shard = fields.SmallIntField(default=0)
    received = fields.BigIntField(default=0)
    accepted = fields.BigIntField(default=0)
    rejected = fields.BigIntField(default=0)
    penalized = fields.BigIntField(default=0)
    resolved = fields.BigIntField(default=0)
    fines = fields.BigIntField(default=0)
    impounded = fields.BigIntField(default=0)
    within_deadline = fields.BigIntField(default=0)
    after_deadline = fields.BigIntField(default=0)

    class Meta:
        table = "statistics_daily"
        unique_together = (("grain", "day", "category", "agency", "channel", "shard"),)
        indexes = (("grain", "agency", "day"), ("grain", "category", "day"))


class StatisticsResponse(Model):
    """How many reports submitted in one Hanoi month were first decided `hours` whole hours after submission (the
    hour rounded down), for the whole city or one category, agency or channel: the response-time histogram the
    percentiles are read from."""

    id = fields.BigIntField(primary_key=True)
    grain = fields.SmallIntField()
    month = fields.DateField()
    category = fields.CharField(max_length=40, default="")
    agency = fields.CharField(max_length=36, default="")
    channel = fields.CharField(max_length=10, default="")
    hours = fields.IntField()
    shard = fields.SmallIntField(default=0)
    decided = fields.BigIntField(default=0)

    class Meta:
        table = "statistics_response"
        unique_together = (("grain", "month", "category", "agency", "channel", "hours", "shard"),)
        indexes = (("grain", "agency", "month"), ("grain", "category", "month"))


class StatisticsCell(Model):
    """How many reports of one category, handling agency and status lie in one geohash cell of
    `services.statistics.cells.PRECISION`, over all time: what the hotspot maps of the whole city read at that
    precision or coarser (`services.hotspots`)."""

    id = fields.BigIntField(primary_key=True)
    cell = fields.CharField(max_length=8)
    category = fields.CharField(max_length=40)
    agency = fields.CharField(max_length=36)
    status = fields.CharField(max_length=20)
    shard = fields.SmallIntField(default=0)
    reports = fields.BigIntField(default=0)

    class Meta:
        table = "statistics_cell"
        unique_together = (("cell", "category", "agency", "status", "shard"),)
