"""`recordReport` as an agency console sends it, shared by the intake tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers.factories import Caller, make_media
from tests.helpers.graphql import gql, only_data
from tests.helpers.reports_api import REPORT_FIELDS, report_input

PROVIDER_FIELDS = "provider { name phone recordedAt recordedBy { id role } answer answerReason }"
RECORD = f"""
mutation($input: RecordReportInput!, $key: String!) {{
  recordReport(input: $input, idempotencyKey: $key) {{ {REPORT_FIELDS} {PROVIDER_FIELDS} }}
}}
"""
REPORT_WITH_PROVIDER = f"query($id: ID!) {{ report(id: $id) {{ {REPORT_FIELDS} {PROVIDER_FIELDS} }} }}"
PROVIDER = {"name": "Nguyễn Văn An", "phone": "0912 345 001"}
CANONICAL_PHONE = "+84912345001"


def intake_input(media_ids: list[str], channel: str = "HOTLINE", **overrides: Any) -> dict[str, Any]:
    """A valid red-light report at Hoàn Kiếm lake as a hotline officer writes it down, with a named provider."""
    return report_input(media_ids, **{"channel": channel, "provider": PROVIDER, **overrides})


async def record(
    client: httpx.AsyncClient, caller: Caller, variables_input: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    variables = {"input": variables_input, "key": str(uuid.uuid4()) if key is None else key}
    return await gql(client, RECORD, variables, caller.token)


async def recorded(client: httpx.AsyncClient, caller: Caller, **overrides: Any) -> dict[str, Any]:
    """Record a valid report with a fresh checked photo uploaded by the caller; return it as the API answered."""
    media = await make_media(caller.user)
    report: dict[str, Any] = only_data(await record(client, caller, intake_input([str(media.id)], **overrides)))[
        "recordReport"
    ]
    return report
