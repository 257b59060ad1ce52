"""The staff's search of reports: words found in a report's code, plate, description or address, without diacritics.

A search is cut into words, each folded as the reports' `search_text` is (`core.folding`: "Đinh Tiên Hoàng" is
"dinh tien hoang"), and a report matches when every word occurs in its search text (`LIKE '%word%'`, so a word
also finds longer ones: "hoang" finds "hoàng hoa thám"). Words that spell a plate in any form the plate normaliser
accepts ("29A12345", "29a 123.45", "29-A1 123.45", up to four words) become its canonical form, which the search text
holds. The search narrows the list the caller may see (`services.reports.queries`); it neither widens nor ranks it,
so the newest-first keyset pagination and every other filter keep working as they do without it.

Bounds, so that no search is costly: at most `MAX_LENGTH` characters and `MAX_WORDS` words, no control characters,
and one word of at least `MIN_LONGEST_WORD` characters. The last is what lets PostgreSQL's trigram index
(`models.search_text`) answer: a word of one or two letters has no trigram, and a search of such words alone would
read every report of the agency.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime

from tortoise import connections
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.errors import InvalidInput
from core.folding import fold
from models.reports import Report
from services.common.pagination import Page, decode_cursor, keyset_page, page_size
from services.reports.plates import normalise_plate

MAX_LENGTH = 100
MAX_WORDS = 8
MIN_LONGEST_WORD = 3
PLATE_WORDS = 4
# Control and format characters (Cc, Cf): a tab, an escape or a zero-width space is no part of a word.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})
# How many of the caller's newest reports a page reads in time order before the trigram index takes over: first,
# and at most when the first reading found some matches (`newest_matches`).
PROBE_ROWS = 2_000
MAX_PROBE_ROWS = 30_000
CODE = re.compile(r"pa-\d{4}-\d{6,}", re.ASCII)


def search_terms(raw: str, field: str = "filter.search") -> tuple[str, ...]:
    """The folded words a report's search text must all contain; `InvalidInput` naming `field` when `raw` is not a
    search this API answers."""
    if len(raw) > MAX_LENGTH:
        raise InvalidInput(f"A search is at most {MAX_LENGTH} characters.", field=field)
    if any(unicodedata.category(character) in REFUSED_CATEGORIES for character in raw):
        raise InvalidInput("A search may not contain control characters.", field=field)
    terms: list[str] = []
    for term in _plates_and_words(raw.split()):
        if term not in terms:
            terms.append(term)
    if not terms:
        raise InvalidInput("Give at least one word to search for.", field=field)
    if len(terms) > MAX_WORDS:
        raise InvalidInput(f"A search has at most {MAX_WORDS} words.", field=field)
    if max(len(term) for term in terms) < MIN_LONGEST_WORD:
        raise InvalidInput(f"A search needs one word of at least {MIN_LONGEST_WORD} letters or digits.", field=field)
    return tuple(terms)


def search_q(terms: tuple[str, ...]) -> Q:
    """Reports whose search text holds every term; a whole report code is looked up by the code's unique index
    instead, as the trigrams every code shares (`pa-`, `-20`) would make the trigram index read most of its
    entries."""
    return Q(*(Q(code=term.upper()) if CODE.fullmatch(term) else Q(search_text__contains=term) for term in terms))


async def newest_matches(
    visible: QuerySet[Report],
    matching: QuerySet[Report],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Page[Report]:
    """One page of `matching` (the reports of `visible` that pass the filters and the search), newest first.

    PostgreSQL's planner cannot tell how many reports hold a set of words: it multiplies the words' frequencies as if
    they were independent, which "dinh tien hoang" are not, and then reads every match through the trigram index and
    sorts them, a cost that grows with the matches (a street's name: a few percent of a million reports). So a
    forward page first reads the caller's newest `PROBE_ROWS` reports past the cursor in time order, with bitmap
    scans (the trigram index) off: a search whose words are common fills its page there, at a bounded cost. One that
    found some matches there, but fewer than a page, reads on as far as should hold a page at the rate it found
    them (at most `MAX_PROBE_ROWS` reports). Only one that found none, or still too few (rare words, a plate),
    asks the planner again, now free to use the index, whose cost is then small. Plans are made for the words
    searched (`plan_cache_mode`), not a generic plan for any pattern, which would guess their frequency. Backward
    pages (`last`/`before`), rare in consoles, and SQLite, which has no trigram index, take the plain query."""
    if connections.get("default").capabilities.dialect != "postgres":
        return await keyset_page(matching, "submitted_at", first, after, last, before)
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
        if last is None and before is None:
            await connection.execute_script("SET LOCAL enable_bitmapscan = off")
            reach = PROBE_ROWS
            while True:
                bound = await _probe_bound(visible.using_db(connection), after, reach)
                window = matching if bound is None else matching.filter(submitted_at__gte=bound)
                page = await keyset_page(window.using_db(connection), "submitted_at", first, after)
                if page.more or bound is None:
                    return replace(page, query=matching)
                if not page.rows or reach >= MAX_PROBE_ROWS:
                    break
                reach = min(MAX_PROBE_ROWS, 2 * reach * (page_size(first) + 1) // len(page.rows))
            await connection.execute_script("SET LOCAL enable_bitmapscan = on")
        page = await keyset_page(matching.using_db(connection), "submitted_at", first, after, last, before)
    return replace(page, query=matching)


async def _probe_bound(visible: QuerySet[Report], after: str | None, reach: int) -> datetime | None:
    """The submission time of the `reach`th visible report past the cursor; None when there are fewer."""
    older = visible if not after else visible.filter(submitted_at__lte=decode_cursor(after)[0])
    rows = await older.order_by("-submitted_at").offset(reach - 1).limit(1).values("submitted_at")
    return rows[0]["submitted_at"] if rows else None


def _plates_and_words(words: list[str]) -> list[str]:
    """Left to right, the longest run of words (up to `PLATE_WORDS`) that is a plate becomes its canonical form;
    any other word is folded (which may split it: "đỏ," is "do", "ngã-tư" stays one), and dropped if no letter or
    digit is left ("-", "...")."""
    terms: list[str] = []
    start = 0
    while start < len(words):
        for end in range(min(len(words), start + PLATE_WORDS), start, -1):
            plate = _plate(" ".join(words[start:end]))
            if plate is not None:
                terms.append(plate)
                start = end
                break
        else:
            terms.extend(term for term in fold(words[start]).split() if any(c.isalnum() for c in term))
            start += 1
    return terms


def _plate(text: str) -> str | None:
    try:
        return fold(normalise_plate(text))
    except InvalidInput:
        return None
