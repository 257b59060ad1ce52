"""Plate normalisation: every usual spelling of one plate becomes one canonical form; garbage is refused."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from services.reports.plates import normalise_plate


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("29A-123.45", "29A-123.45"),
        ("29A12345", "29A-123.45"),
        ("29a 123 45", "29A-123.45"),
        (" 29A-12345 ", "29A-123.45"),
        ("29-A1 123.45", "29A1-123.45"),
        ("29A1-12345", "29A1-123.45"),
        ("29A112345", "29A1-123.45"),
        ("29A1-2345", "29A1-2345"),
        ("30LD-1234", "30LD-1234"),
        ("51F 999.99", "51F-999.99"),
    ],
)
def test_spellings_become_one_canonical_form(raw: str, canonical: str) -> None:
    assert normalise_plate(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        *("", "ABC", "29-123.45", "2A-123.45", "29ABC-123.45", "29A-123.456", "29A-12", "05A-123.45", "29A-12;45"),
        # Unicode that upper-cases, or counts as digits or spaces, into a plate: dotless i, long s, full-width and
        # Arabic-Indic digits, a no-break space.
        *("29ı-123.45", "29ſ-123.45", "２９A-123.45", "٢٩A-123.45", "29A\u00a0123.45"),
    ],
)
def test_garbage_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_plate(raw, field="input.plateNumber")
    assert refused.value.extensions == {"field": "input.plateNumber"}
