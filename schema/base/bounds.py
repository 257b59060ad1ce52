"""The input boundary's table: how long each kind of text a client sends may be, and the shape of codes.

Every String and ID argument and input field of the contract is declared through `argument` or `input_field` with
one of the bounds below: the helper states the limit in the description (what frontends read in `schema.graphql`) and
records it on the declaration (what `schema.base.boundary` enforces before any resolver runs), so the two cannot
disagree. A contract test fails when a String or ID is declared without a bound. Lengths count characters (Unicode
code points); each is at most the length of the column the value ends up in or is looked up by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import strawberry
from strawberry.types.arguments import StrawberryArgumentAnnotation

# Where a declaration keeps its bound (strawberry's `metadata` of arguments and fields), and where an input argument
# says that errors name its fields alone.
BOUND_KEY = "phananh.bound"
BARE_FIELDS_KEY = "phananh.bare-fields"

# Every Date and DateTime a client sends lies within these days: nothing the city records is older or further away,
# and the extremes that ISO 8601 allows (0001-01-01, 9999-12-31) overflow date arithmetic and the databases.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 1, 1)
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Bound:
    """What the boundary accepts for one kind of text: its length, for codes their shape (checked on the value
    without surrounding spaces, which services trim), and for lists how many items."""

    max_length: int
    shape: str | None = None
    shape_text: str = ""
    max_items: int | None = None

    def fits_shape(self, text: str) -> bool:
        return self.shape is None or re.fullmatch(self.shape, text.strip()) is not None

    def items(self, max_items: int) -> Bound:
        """The same bound for each item of a list of at most `max_items`."""
        return replace(self, max_items=max_items)

    def sentence(self) -> str:
        length = f"at most {self.max_length} characters" + (f": {self.shape_text}" if self.shape_text else "")
        if self.max_items is None:
            return f"{length[0].upper()}{length[1:]}."
        return f"At most {self.max_items} items, each {length}."


# Ids are UUIDs (36 characters); the room above lets `urn:uuid:` forms through to the services that parse them.
ID = Bound(64)
CURSOR = Bound(200)
WARD_CODE = Bound(5, r"[0-9]{5}", "five digits")
CATEGORY_CODE = Bound(40, r"[A-Z0-9_]+", "A-Z, 0-9 and _ only")
AGENCY_CODE = Bound(40, r"[A-Za-z0-9._-]+", "letters A-Z, digits, dot, dash and underscore only")
NAME = Bound(200)
TEXT = Bound(2000)
ADDRESS = Bound(300)
LEGAL_BASIS = Bound(300)
PLATE = Bound(20)
SEARCH = Bound(100)
PHONE = Bound(40)
EMAIL = Bound(200)
USERNAME = Bound(80)
PASSWORD = Bound(256)
OTP_CODE = Bound(10)
# A Zalo access token is a few hundred characters; ours (refresh, handoff) are 43.
PROVIDER_TOKEN = Bound(2000)
# The key of a Zalo mini-app/OA in settings (core.settings_checks.ZALO_OA_KEY).
ZALO_OA = Bound(30, r"[a-z][a-z0-9_]*", "a-z, 0-9 and _, starting with a letter")
OWN_TOKEN = Bound(100)
IDEMPOTENCY_KEY = Bound(100)
CONTENT_TYPE = Bound(100)
SHA256 = Bound(64)
AUDIT_ENTITY = Bound(40, r"[a-z_]+", "a-z and _ only")
AUDIT_ENTITY_ID = Bound(64)

MEDIA_IDS = ID.items(10)
NODE_IDS = ID.items(100)
WARD_CODES = WARD_CODE.items(200)
CATEGORY_CODES = CATEGORY_CODE.items(100)


def argument(description: str, bound: Bound) -> StrawberryArgumentAnnotation:
    """A String or ID argument: its description gains the limit, its declaration the bound."""
    return strawberry.argument(description=f"{description} {bound.sentence()}", metadata={BOUND_KEY: bound})


def bare_fields_argument(description: str) -> StrawberryArgumentAnnotation:
    """An input argument whose fields errors name alone (`description`, not `input.description`): the documented
    convention of submitReport, createStaffUser and createMediaUpload, which the boundary then follows too, so that a
    form sees one name per field whichever check refused it."""
    return strawberry.argument(description=description, metadata={BARE_FIELDS_KEY: True})


def input_field(description: str, bound: Bound, **options: Any) -> Any:
    """A String or ID field of an input type (`options` as for `strawberry.field`: `default`, `name`...)."""
    return strawberry.field(description=f"{description} {bound.sentence()}", metadata={BOUND_KEY: bound}, **options)
