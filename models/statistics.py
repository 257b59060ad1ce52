"""The statistics rollup: report counters per Hanoi month, at every grain the statistics read.

A city-wide figure summed from the reports themselves is a scan of every report, about 650 ms at a million of them.
Summed from these rows it is a few thousand rows. `services/statistics/rollup.py` keeps the rows in the transaction
of every write and can rebuild them from the reports. The rows are derived data: the reports stay the truth.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class StatisticsRollup(Model):
    """Counters of the reports submitted in one Hanoi month that share one grain and its key.

    `grain` is a bit set of the dimensions the row keeps (category, agency, ward, channel, status). A dimension the
    grain leaves out holds the empty string, so the key stays unique without NULLs, which unique indexes treat as
    distinct. A row whose counters all went back to zero stays until the next rebuild and is never shown.
    """

    id = fields.BigIntField(primary_key=True)
    grain = fields.SmallIntField()
    month = fields.DateField()
    category = fields.CharField(max_length=40, default="")
    agency = fields.CharField(max_length=36, default="")
    ward = fields.CharField(max_length=10, default="")
    channel = fields.CharField(max_length=10, default="")
    status = fields.CharField(max_length=20, default="")
    received = fields.BigIntField(default=0)
    accepted = fields.BigIntField(default=0)
    rejected = fields.BigIntField(default=0)
    penalized = fields.BigIntField(default=0)
    resolved = fields.BigIntField(default=0)
    fines = fields.BigIntField(default=0)
    impounded = fields.BigIntField(default=0)

    class Meta:
        table = "statistics_rollup"
        unique_together = (("grain", "month", "category", "agency", "ward", "channel", "status"),)
        indexes = (("grain", "agency", "month"), ("grain", "category", "month"), ("grain", "ward", "month"))
