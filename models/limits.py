"""Rate-limit counters: one row per bucket, bumped by `services/common/limits.py` with one atomic statement."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class RateCounter(Model):
    """How often one bucket was taken in its current window, and when that window ends.

    `resets_at_ms` counts milliseconds since the epoch, so that both databases compare the same integers in the one
    statement that takes. A row whose window has ended counts as absent, and is deleted as new windows open.
    """

    bucket = fields.CharField(max_length=120, primary_key=True)
    hits = fields.IntField()
    resets_at_ms = fields.BigIntField(db_index=True)

    class Meta:
        table = "rate_counter"
