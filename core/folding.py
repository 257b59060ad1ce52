"""Text folded for searching: lower case, without diacritics, đ as d, punctuation as spaces.

Vietnamese is written with stacked diacritics ("vượt đèn đỏ") that people searching often leave out ("vuot den do"),
so the report search compares folded text with folded words. The fold is done here, in Python, rather than by the
database's `unaccent`: the same function fills the column on SQLite and PostgreSQL and folds the words searched
for, so both databases give identical answers, and `đ`/`Đ` (a letter of its own, not a d with a mark, so Unicode
decomposition leaves it alone) fold to d by a rule stated here rather than by a rules file of the server.

NFKD first splits each accented letter into its base and its marks (ộ: o, circumflex, dot below) and maps the
compatibility forms (full-width ２９Ａ, ligatures) to plain ones; the marks are then dropped. What remains besides
letters and digits becomes a space, except `-`, `.` and `/`, which hold plates (29A-123.45), report codes
(PA-2026-000123) and house numbers (12/3) together.
"""

from __future__ import annotations

import unicodedata

KEPT_PUNCTUATION = frozenset("-./")
LETTER_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """`text` lower-cased, without diacritics, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LETTER_D).lower())
    kept = (
        character if character.isalnum() or character in KEPT_PUNCTUATION else " "
        for character in decomposed
        if not unicodedata.combining(character)
    )
    return " ".join("".join(kept).split())
