"""Custom scalars. `BigInt` exists because GraphQL's Int is 32-bit and amounts in đồng pass 4 billion.

JavaScript reads a JSON number exactly only within ±(2^53 - 1), so a `BigInt` is sent as a number within that range
and as a decimal string beyond it (a sum that grew past it must not arrive rounded); it is accepted as either, within
the range. That is I-JSON's rule (RFC 7493, section 2.2), which its `@specifiedBy` names.

`DateTime` is strawberry's own, given the `@specifiedBy` of the GraphQL Scalars date-time specification (RFC 3339
with an offset): the input boundary refuses a time without its offset, and every time we send carries one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import NewType

import strawberry
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

MAX_SAFE_INTEGER = 2**53 - 1
BIG_INT_SPECIFICATION = "https://www.rfc-editor.org/rfc/rfc7493#section-2.2"
DATE_TIME_SPECIFICATION = "https://scalars.graphql.org/andimarek/date-time"
# At most 17 digits: more could not lie within the range, and `int` need not read a megabyte of them to find out.
DECIMAL = re.compile(r"-?[0-9]{1,17}")


def _parse_big_int(value: object) -> int:
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise ValueError("BigInt must be a whole number")
    if abs(number) > MAX_SAFE_INTEGER:
        raise ValueError("BigInt must stay within ±(2^53 - 1) so that JavaScript clients read it exactly")
    return number


def _serialize_big_int(value: int) -> int | str:
    number = int(value)  # sums come back from PostgreSQL as decimals
    return number if abs(number) <= MAX_SAFE_INTEGER else str(number)


BigInt = NewType("BigInt", int)

# Registered through the schema's `scalar_map` (see `schema/__init__.py`): wrapping the NewType itself is deprecated
# in strawberry and warns, which the test suite treats as an error.
SCALAR_MAP: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description=(
            "A whole number beyond 32 bits (amounts in đồng), sent as a JSON number within ±(2^53 - 1) and as a "
            "decimal string beyond it; accepted as a number or a string within ±(2^53 - 1)."
        ),
        serialize=_serialize_big_int,
        parse_value=_parse_big_int,
        specified_by_url=BIG_INT_SPECIFICATION,
    ),
    datetime: replace(
        DateTimeDefinition,
        description="An instant: RFC 3339 with its offset, e.g. 2026-11-23T08:30:00+07:00.",
        specified_by_url=DATE_TIME_SPECIFICATION,
    ),
}
