"""The statistics export: what `statistics` answers (totals, the five breakdowns, the series), as one table.

Each row is one figure with the same counters as `StatisticsCounters`; its `section` says which: `total`, a
breakdown (`category`, `agency`, `ward`, `channel`, `status`, keyed by code or id and named), or `series` (keyed by
the bucket's first Hanoi day). The figures are a few hundred rows computed by the database in three statements
(`services.statistics.figures`), so they are read before the first byte goes out; the role rules are those of
`statistics` (agency staff get their own agency's).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from auth.principal import Principal
from services.common import policies
from services.downloads import Download, Resources
from services.exports import tickets
from services.exports.files import download
from services.exports.formats import ExportFormat, Row, Table
from services.statistics import figures
from services.statistics.figures import Counters, StatisticsFilter
from services.statistics.sql import Interval

KIND = "exports.statistics"
HEADER = (
    "Phần (section)",
    "Mã (key)",
    "Tên",
    "Tiếp nhận",
    "Đủ cơ sở xác minh",
    "Từ chối",
    "Xử phạt",
    "Xử lý không phạt",
    "Tổng tiền phạt (đồng)",
    "Tạm giữ phương tiện",
    "Quyết định trong hạn luật định",
    "Quyết định quá hạn luật định",
)


async def start(
    principal: Principal,
    wanted: StatisticsFilter,
    export_format: ExportFormat,
    interval: Interval,
    rules: tickets.ExportRules,
) -> dict[str, str]:
    """The ticket of a new export, after refusing now what the download would refuse (not staff, another agency's
    figures, a malformed filter) and taking the rate limit."""
    policies.require(policies.is_staff(principal), "Only agency staff export.")
    figures.resolve_scope(principal, wanted)
    return await tickets.export_params(principal, wanted, export_format, rules, **{tickets.INTERVAL: interval.value})


async def produce(params: Mapping[str, str], principal: Principal, resources: Resources) -> Download:
    """The registered producer of `KIND`: the figures the caller may see now, in the ticket's format."""
    policies.require(policies.is_staff(principal), "Only agency staff export.")
    summary = await figures.summarize(principal, tickets.filter_from(params, StatisticsFilter))
    interval = Interval(params[tickets.INTERVAL])
    buckets = await figures.series(summary.scope, interval)
    rows: list[Row] = [("total", None, None, *_counters(summary.totals))]
    for dimension, entries in summary.breakdowns.items():
        rows += [(dimension, entry.key, entry.name, *_counters(entry.counters)) for entry in entries]
    series = f"series:{interval.value}"
    rows += [(series, bucket.start.isoformat(), None, *_counters(bucket.counters)) for bucket in buckets]
    return download("thong-ke", tickets.export_format(params), Table("Thống kê", HEADER, _each(rows)))


def _counters(counters: Counters) -> tuple[int, ...]:
    return (
        counters.received,
        counters.accepted,
        counters.rejected,
        counters.penalized,
        counters.resolved,
        counters.fines_vnd,
        counters.impounded,
        counters.within_deadline,
        counters.after_deadline,
    )


async def _each(rows: list[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row
