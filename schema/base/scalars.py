"""Custom scalars. `BigInt` exists because GraphQL's Int is 32-bit and amounts in đồng pass 4 billion."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

MAX_SAFE_INTEGER = 2**53 - 1


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("BigInt must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ValueError("BigInt must be a whole number") from None
    if abs(number) > MAX_SAFE_INTEGER:
        raise ValueError("BigInt must stay within ±(2^53 - 1) so that JavaScript clients read it exactly")
    return number


BigInt = NewType("BigInt", int)

# Registered through the schema's `scalar_map` (see `schema/__init__.py`): wrapping the NewType itself is deprecated
# in strawberry and warns, which the test suite treats as an error.
SCALAR_MAP: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A whole number beyond 32 bits (amounts in đồng), sent as a JSON number within ±(2^53 - 1).",
        serialize=int,
        parse_value=_parse_big_int,
    )
}
