"""Report operations as the frontends send them, shared by the report and workflow tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from models.users import User
from tests.helpers.factories import Caller, make_media
from tests.helpers.graphql import gql, only_data

REPORT_FIELDS = """
    id code status description occurredAt submittedAt updatedAt plateNumber channel dueAt overdue
    category { code kind }
    location { latitude longitude address ward { code name } }
    agency { id code }
    assignee { id }
    reporter { id fullName phone }
    media { id kind contentType }
    decisions { outcome note responseToCitizen fineAmountVnd vehicleImpounded legalBasis decidedAt }
    timeline { kind at outcome reason actor { id role } }
    possibleDuplicateOf { id code }
"""
SUBMIT = f"""
mutation($input: SubmitReportInput!, $key: String!) {{
  submitReport(input: $input, idempotencyKey: $key) {{ {REPORT_FIELDS} }}
}}
"""
REPORT = f"query($id: ID!) {{ report(id: $id) {{ {REPORT_FIELDS} }} }}"
ASSIGN = f"""
mutation($id: ID!, $agencyId: ID, $officerId: ID, $reason: String) {{
  assignReport(reportId: $id, agencyId: $agencyId, officerId: $officerId, reason: $reason) {{ {REPORT_FIELDS} }}
}}
"""
DECIDE = f"""
mutation($id: ID!, $input: DecisionInput!) {{ decideReport(reportId: $id, input: $input) {{ {REPORT_FIELDS} }} }}
"""
ANSWER = "Cảm ơn bạn, chúng tôi đã xử lý."
HOAN_KIEM_LAKE = (21.0287, 105.8524)
HANOI = timezone(timedelta(hours=7))


def report_input(media_ids: list[str], **overrides: Any) -> dict[str, Any]:
    """A valid red-light report at Hoàn Kiếm lake, an hour ago, in Hanoi time."""
    occurred = (datetime.now(UTC) - timedelta(hours=1)).astimezone(HANOI).isoformat()
    location = {"latitude": HOAN_KIEM_LAKE[0], "longitude": HOAN_KIEM_LAKE[1], "address": "Đinh Tiên Hoàng"}
    values: dict[str, Any] = {
        "categoryCode": "RED_LIGHT",
        "description": "Xe ô tô vượt đèn đỏ ở ngã tư.",
        "occurredAt": occurred,
        "location": location,
        "plateNumber": "29A12345",
        "mediaIds": media_ids,
        "channel": "ZALO",
    }
    return {**values, **overrides}


async def submit(
    client: httpx.AsyncClient, caller: Caller, variables_input: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    return await gql(
        client, SUBMIT, {"input": variables_input, "key": str(uuid.uuid4()) if key is None else key}, caller.token
    )


async def submitted(client: httpx.AsyncClient, caller: Caller, **overrides: Any) -> dict[str, Any]:
    """Submit a valid report with a fresh photo of the caller's own; return the report as the API answered."""
    media = await make_media(caller.user)
    body = await submit(client, caller, report_input([str(media.id)], **overrides))
    report: dict[str, Any] = only_data(body)["submitReport"]
    return report


async def owned_media_ids(user: User, count: int = 1) -> list[str]:
    return [str((await make_media(user)).id) for _ in range(count)]


async def decide(client: httpx.AsyncClient, caller: Caller, report_id: str, **decision: Any) -> dict[str, Any]:
    return await gql(client, DECIDE, {"id": report_id, "input": decision}, caller.token)
