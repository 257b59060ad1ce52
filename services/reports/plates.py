"""Vietnamese licence plates, reduced to one canonical form so that searches and duplicate checks compare like with
like.

Canonical form: `<province><series>-<number>` in upper case, where the province is two digits, the series one or two
letters optionally followed by one digit, and the number either five digits written `123.45` or four digits written
`1234`. Examples: `29A-123.45` (car), `29A1-123.45` (motorbike), `30LD-1234`.

Written without separators, a plate is ambiguous (`29A12345` could be series `A1` with `2345`); we read six digits
after the letters as a series digit plus five, and five or four digits as the number alone, which matches every plate
issued since 2015. A separator between series and number settles the question the way the writer meant it.

Plates are ASCII: anything else is refused before upper-casing, because Unicode case mapping and digit classes would
otherwise make a plate of what is none: `29ı-123.45` upper-cases to `29I-123.45`, and Unicode digits read `２９` as 29.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput

SEPARATED = re.compile(r"^(\d{2})[\s-]?([A-Z]{1,2}\d?)[\s.-](\d{3}[.\s]?\d{2}|\d{4})$", re.ASCII)
COMPACT = re.compile(r"^(\d{2})[\s-]?([A-Z]{1,2})(\d{4,6})$", re.ASCII)
MIN_PROVINCE = 11


def normalise_plate(raw: str, *, field: str = "plateNumber") -> str:
    """The canonical form of a plate, or `InvalidInput` naming `field` when it is not a Vietnamese plate."""
    parts = _split(" ".join(raw.upper().split())) if raw.isascii() else None
    if parts is None:
        raise InvalidInput(f"{raw!r} is not a Vietnamese plate number (e.g. 29A-123.45).", field=field)
    province, series, number = parts
    if int(province) < MIN_PROVINCE:
        raise InvalidInput(f"{province} is not a province code of a Vietnamese plate.", field=field)
    if len(number) == 5:
        return f"{province}{series}-{number[:3]}.{number[3:]}"
    return f"{province}{series}-{number}"


def _split(text: str) -> tuple[str, str, str] | None:
    separated = SEPARATED.match(text)
    if separated is not None:
        province, series, number = separated.groups()
        return province, series, number.replace(".", "").replace(" ", "")
    compact = COMPACT.match(text)
    if compact is None:
        return None
    province, series, digits = compact.groups()
    if len(digits) == 6:
        return province, series + digits[0], digits[1:]
    return province, series, digits
