"""Vietnamese mobile numbers in one canonical form (+84 and nine digits), so one phone is one identity.

Since the 2018 renumbering, mobile numbers are 0 + nine digits starting 3, 5, 7, 8 or 9; landlines (02x) and the old
eleven-digit 01x numbers cannot receive a sign-in code, so they are refused rather than stored.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s.\-()]")
_NATIONAL_MOBILE = re.compile(r"^[35789]\d{8}$")


def normalise_phone(raw: str) -> str:
    """`0912345678`, `+84912345678`, `84912345678` and `0912 345 678` all become `+84912345678`."""
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = ""
    if not _NATIONAL_MOBILE.match(national):
        raise InvalidInput("Enter a Vietnamese mobile number, e.g. 0912345678 or +84912345678.", field="phone")
    return f"+84{national}"
