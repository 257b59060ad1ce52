"""Errors become stable codes in one place; a bug reaches the client as INTERNAL with nothing of its internals."""

from __future__ import annotations

import logging

import pytest
import strawberry

from core.errors import Conflict, InvalidInput
from schema.base.errors import ErrorCodes


@strawberry.type
class Query:
    @strawberry.field
    def bug(self) -> str:
        raise ZeroDivisionError("secret detail: password=hunter2")

    @strawberry.field
    def refused(self) -> str:
        raise InvalidInput("Description is too short.", field="description")

    @strawberry.field
    def taken(self) -> str:
        raise Conflict("Already decided.")


SCHEMA = strawberry.Schema(query=Query, extensions=[ErrorCodes])


async def test_unexpected_errors_are_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="phananh.errors"):
        result = await SCHEMA.execute("{ bug }")
    assert result.errors is not None
    error = result.errors[0].formatted
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL"
    assert "requestId" in error["extensions"]
    assert "hunter2" not in str(error)
    assert any("ZeroDivisionError" in (record.exc_text or "") for record in caplog.records)


async def test_domain_errors_keep_their_message_and_gain_a_code() -> None:
    refused = await SCHEMA.execute("{ refused }")
    assert refused.errors is not None
    assert refused.errors[0].formatted["extensions"] == {"code": "BAD_USER_INPUT", "field": "description"}
    assert refused.errors[0].message == "Description is too short."
    taken = await SCHEMA.execute("{ taken }")
    assert taken.errors is not None
    assert taken.errors[0].formatted["extensions"] == {"code": "CONFLICT"}
