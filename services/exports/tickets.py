"""What an export's download ticket carries (the filter, the format, the row cap), and the checks made before a link
is handed out: the caller may export, the rate limit, and a ticket short enough to be a URL.

A filter travels field by field as strings, whatever dataclass it is (`ReportFilter`, `StatisticsFilter`), read back
with the dataclass's own type hints: a field another feature adds to the console's filter is exported with no change
here, and the export is always the list the console shows.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from auth.principal import Principal
from core.errors import InvalidInput
from services.common import limits, policies
from services.downloads.tickets import MAX_TICKET_CHARS
from services.exports.formats import ExportFormat

FILTER_PREFIX = "f:"
FORMAT = "format"
MAX_ROWS = "max"
INTERVAL = "interval"
# What the parameters may take of a ticket, as JSON (the signed URL is longer: base64, the signature, the user).
MAX_PARAMS_CHARS = MAX_TICKET_CHARS // 2

F = TypeVar("F")


@dataclass(frozen=True)
class ExportRules:
    """`max_rows`: rows per file, past which a marker row says the file was cut; `per_hour`: exports a person may
    start in an hour."""

    max_rows: int = 1_000_000
    per_hour: int = 20


def _text(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, (tuple, list)):
        return json.dumps([_text(item) for item in value])
    raise TypeError(f"an export ticket cannot carry a {type(value).__name__}")


def _value(text: str, kind: Any) -> object:
    arms = [arm for arm in typing.get_args(kind) if arm is not type(None)]
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and len(arms) == 1:
        kind = arms[0]
    origin = typing.get_origin(kind)
    if origin in (tuple, list):
        item = typing.get_args(kind)[0]
        return origin(_value(one, item) for one in json.loads(text))
    if kind is bool:
        return text == "true"
    for plain in (datetime, date):
        if kind is plain:
            return plain.fromisoformat(text)
    return kind(text)


def filter_params(wanted: object) -> dict[str, str]:
    """The filter's conditions that are set, as ticket parameters."""
    return {
        f"{FILTER_PREFIX}{field.name}": _text(value)
        for field in dataclasses.fields(wanted)  # type: ignore[arg-type]
        if (value := getattr(wanted, field.name)) is not None
    }


def filter_from(params: Mapping[str, str], kind: type[F]) -> F:
    """The filter a ticket carries. The ticket is signed, so a value that does not parse is a bug of ours, not input."""
    hints = typing.get_type_hints(kind)
    values = {
        field.name: _value(params[key], hints[field.name])
        for field in dataclasses.fields(kind)  # type: ignore[arg-type]
        if (key := f"{FILTER_PREFIX}{field.name}") in params
    }
    return kind(**values)


async def export_params(
    principal: Principal, wanted: object, export_format: ExportFormat, rules: ExportRules, **extra: str
) -> dict[str, str]:
    """The parameters of a new export's ticket, once the caller may start it: staff only, within the hourly limit."""
    policies.require(policies.is_staff(principal), "Only agency staff export.")
    params = {**filter_params(wanted), FORMAT: export_format.value, MAX_ROWS: str(rules.max_rows), **extra}
    if len(json.dumps(params, separators=(",", ":"))) > MAX_PARAMS_CHARS:
        raise InvalidInput("This filter is too long to export; shorten the search.", field="filter")
    await limits.take(
        limits.Limit(
            limits.bucket("exports", str(principal.user_id)),
            limits.Quota(rules.per_hour, 3600),
            f"At most {rules.per_hour} exports an hour; wait, or reuse the file you have.",
        )
    )
    return params


def export_format(params: Mapping[str, str]) -> ExportFormat:
    return ExportFormat(params[FORMAT])


def max_rows(params: Mapping[str, str]) -> int:
    return int(params[MAX_ROWS])
