"""What escapes to the error mapping from the database is not always a bug: a value it refuses is BAD_USER_INPUT (a
unique key taken meanwhile CONFLICT), an unreachable database UNAVAILABLE. Real statements on SQLite and PostgreSQL,
through a schema that skips the input boundary, as a resolver that forgot a check would."""

from __future__ import annotations

import strawberry

from models.enums import CategoryKind
from models.reference import Category
from schema.base.errors import ErrorCodes


@strawberry.type
class Query:
    @strawberry.field
    async def by_code(self, code: str) -> bool:
        return await Category.filter(code=code).exists()

    @strawberry.field
    async def create(self, code: str) -> bool:
        await Category.create(code=code, name="Probe", kind=CategoryKind.VIOLATION)
        return True

    @strawberry.field
    def unreachable(self) -> bool:
        raise ConnectionRefusedError(111, "Connection refused")


SCHEMA = strawberry.Schema(query=Query, extensions=[ErrorCodes])


async def extensions_of(document: str, **variables: object) -> dict[str, object]:
    result = await SCHEMA.execute(document, variable_values=variables)
    assert result.errors is not None, result
    assert len(result.errors) == 1, result
    extensions: dict[str, object] = result.errors[0].formatted["extensions"]
    assert isinstance(extensions.pop("requestId"), str)
    return extensions


async def test_values_the_database_refuses_are_bad_input(db_kind: str) -> None:
    # An unpaired surrogate cannot be encoded for either driver; a code longer than its column fails Tortoise's check.
    assert await extensions_of("query($c: String!) { byCode(code: $c) }", c="\udc00") == {"code": "BAD_USER_INPUT"}
    assert await extensions_of("query($c: String!) { create(code: $c) }", c="X" * 41) == {"code": "BAD_USER_INPUT"}
    if db_kind == "postgres":  # SQLite stores NUL characters; PostgreSQL refuses them
        assert await extensions_of("query($c: String!) { byCode(code: $c) }", c="A\x00") == {"code": "BAD_USER_INPUT"}


async def test_a_unique_key_taken_meanwhile_is_a_conflict() -> None:
    assert await extensions_of('{ create(code: "RED_LIGHT") }') == {"code": "CONFLICT"}


async def test_an_unreachable_database_is_unavailable() -> None:
    assert await extensions_of("{ unreachable }") == {"code": "UNAVAILABLE"}
