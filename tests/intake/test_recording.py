"""Staff intake through the endpoint, as an agency console sends it: each channel recorded like a citizen's report
(same routing, code, due time, timeline, outbox event and statistics), the refusals and what they leave (nothing),
idempotency, and the staff member's own uploads as evidence through the real upload flow."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from auth.tokens import TokenCodec
from models.custody import CustodyEntry
from models.enums import CustodyKind, Role
from models.events import ReportEvent
from models.intake import ReportProvider
from models.media import Media
from models.outbox import OutboxEvent, OutboxKind
from models.reports import IdempotencyKey, Report
from models.users import Identity, User
from tests.helpers.factories import Caller, make_caller, make_media, make_user
from tests.helpers.graphql import assert_refused, only_data
from tests.helpers.media_calls import complete, create_upload, post_form
from tests.helpers.media_files import photo, sha256
from tests.helpers.reports_api import report_input, submit
from tests.helpers.statistics_api import stats
from tests.intake.calls import CANONICAL_PHONE, PROVIDER, intake_input, record, recorded

CODE = re.compile(r"^PA-\d{4}-\d{6}$")


def _delay(report: dict[str, Any]) -> float:
    return (datetime.fromisoformat(report["dueAt"]) - datetime.fromisoformat(report["submittedAt"])).total_seconds()


@pytest.mark.parametrize(
    ("channel", "role"), [("HOTLINE", Role.OFFICER), ("WALK_IN", Role.AGENCY_ADMIN), ("POST", Role.OFFICER)]
)
async def test_each_channel_is_recorded_like_a_citizen_report(
    client: httpx.AsyncClient, codec: TokenCodec, citizen: Caller, channel: str, role: Role
) -> None:
    staff = await make_caller(codec, role, "PC08")
    citizens = only_data(await submit(client, citizen, report_input([str((await make_media(citizen.user)).id)])))[
        "submitReport"
    ]

    report = await recorded(client, staff, channel=channel)

    assert CODE.match(report["code"])
    assert report["code"] != citizens["code"]
    assert report["channel"] == channel
    for same in ("status", "agency", "category", "location", "plateNumber", "description", "overdue"):
        assert report[same] == citizens[same], same
    assert _delay(report) == _delay(citizens), "the same category service level sets the due time"
    kinds = [event["kind"] for event in report["timeline"]]
    assert kinds == ["SUBMITTED", "ROUTED", "DUPLICATE_FLAGGED"], "the same plate nearby: the citizen's came first"
    assert report["possibleDuplicateOf"]["id"] == citizens["id"]
    assert report["timeline"][0]["actor"] == {"id": str(staff.user.id), "role": role.value}
    assert len(report["media"]) == 1
    provider = report["provider"]
    assert (provider["name"], provider["phone"], provider["answer"]) == (PROVIDER["name"], CANONICAL_PHONE, "SMS")
    assert provider["recordedBy"]["id"] == str(staff.user.id)
    assert report["reporter"]["phone"] == CANONICAL_PHONE
    assert report["reporter"]["fullName"] == "", "the name told to staff is not written onto an account"

    stored = await Report.get(code=report["code"])
    event = await OutboxEvent.get(report_id=stored.id)
    assert (event.kind, event.agency_id, event.reporter_id) == (
        OutboxKind.SUBMITTED,
        stored.agency_id,
        stored.reporter_id,
    )
    assert await CustodyEntry.filter(report_id=stored.id, kind=CustodyKind.RECEIVED).exists(), "custody opened"
    figures = await stats(client, staff)
    assert {entry["key"]: entry["received"] for entry in figures["byChannel"]}[channel] == 1


async def test_the_provider_is_the_citizen_of_that_phone_and_an_anonymous_one_is_nobody(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    first = await recorded(client, officer)
    second = await recorded(client, officer, channel="POST", provider={"name": "", "phone": "+84912345001"})
    assert first["reporter"]["id"] == second["reporter"]["id"], "one phone, one citizen"
    identity = await Identity.get(subject=CANONICAL_PHONE)
    assert str(identity.user_id) == first["reporter"]["id"]

    anonymous = [await recorded(client, officer, channel="WALK_IN", provider=None) for _ in range(2)]
    assert anonymous[0]["reporter"]["id"] != anonymous[1]["reporter"]["id"], "anonymous providers are never one person"
    assert anonymous[0]["provider"]["answer"] == "NONE"
    assert "No phone" in anonymous[0]["provider"]["answerReason"]
    nobody = await User.get(id=anonymous[0]["reporter"]["id"])
    assert (nobody.role, nobody.is_active, nobody.phone) == (Role.CITIZEN, False, None)
    assert not await Identity.filter(user_id=nobody.id).exists()


async def test_a_retry_returns_the_same_report_and_another_provider_under_the_key_conflicts(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    media_ids = [str((await make_media(officer.user)).id)]
    key = str(uuid.uuid4())
    sent = intake_input(media_ids)
    first = only_data(await record(client, officer, sent, key))["recordReport"]
    again = only_data(await record(client, officer, sent, key))["recordReport"]
    assert again["id"] == first["id"]
    other = {**sent, "provider": {"name": "Trần Thị Bình", "phone": PROVIDER["phone"]}}
    assert_refused(await record(client, officer, other, key), "CONFLICT", field="idempotencyKey")
    assert await Report.all().count() == 1
    assert await ReportProvider.all().count() == 1


async def _counts() -> tuple[int, ...]:
    return (
        await Report.all().count(),
        await ReportProvider.all().count(),
        await User.all().count(),
        await Identity.all().count(),
        await ReportEvent.all().count(),
        await IdempotencyKey.all().count(),
        await OutboxEvent.all().count(),
    )


@pytest.mark.parametrize(
    ("role", "overrides", "code", "field"),
    [
        (Role.CITIZEN, {}, "FORBIDDEN", None),
        (Role.ADMIN, {}, "FORBIDDEN", None),
        (None, {}, "UNAUTHENTICATED", None),
        (Role.OFFICER, {"channel": "ZALO"}, "BAD_USER_INPUT", "channel"),
        (Role.OFFICER, {"channel": "WEB"}, "BAD_USER_INPUT", "channel"),
        (Role.OFFICER, {"provider": {"phone": "024 3825 1234"}}, "BAD_USER_INPUT", "provider.phone"),
        (Role.OFFICER, {"provider": {"phone": "not a phone"}}, "BAD_USER_INPUT", "provider.phone"),
        (Role.OFFICER, {"provider": {"name": "A" * 201}}, "BAD_USER_INPUT", "provider.name"),
        (Role.OFFICER, {"provider": {"phone": "0" * 41}}, "BAD_USER_INPUT", "provider.phone"),
        (Role.OFFICER, {"description": "x" * 2001}, "BAD_USER_INPUT", "description"),
        (Role.OFFICER, {"description": "short"}, "BAD_USER_INPUT", "description"),
        (Role.OFFICER, {"plateNumber": "2" * 21}, "BAD_USER_INPUT", "plateNumber"),
        (Role.OFFICER, {"occurredAt": "2099-01-01T08:00:00+07:00"}, "BAD_USER_INPUT", "occurredAt"),
        (Role.OFFICER, {"location": {"latitude": 10.77, "longitude": 106.7}}, "BAD_USER_INPUT", "location"),
        (Role.OFFICER, {"categoryCode": "NOPE"}, "BAD_USER_INPUT", "categoryCode"),
    ],
)
async def test_refusals_name_their_cause_and_write_nothing(
    client: httpx.AsyncClient,
    codec: TokenCodec,
    role: Role | None,
    overrides: dict[str, Any],
    code: str,
    field: str | None,
    officer: Caller,
) -> None:
    media = await make_media(officer.user)
    who = officer
    if role is None:
        who = Caller(user=officer.user, token="")
    elif role is not Role.OFFICER:
        who = await make_caller(codec, role, "PC08" if role is not Role.ADMIN and role is not Role.CITIZEN else None)
    before = await _counts()
    body = await record(client, who, intake_input([str(media.id)], **overrides))
    assert_refused(body, code, **({"field": field} if field else {}))
    assert await _counts() == before
    assert (await Media.get(id=media.id)).report_id is None, "the evidence stays free for the next try"


@pytest.mark.parametrize(
    ("role", "agency"), [(Role.CITIZEN, None), (Role.OFFICER, "CA-00070"), (Role.AGENCY_ADMIN, "PC08")]
)
async def test_evidence_must_be_the_recorders_own_upload(
    client: httpx.AsyncClient, officer: Caller, role: Role, agency: str | None
) -> None:
    """A citizen's photo, another agency's officer's, a colleague's: none may be claimed, and nothing is written."""
    theirs = await make_media(await make_user(role, agency))
    before = await _counts()
    body = await record(client, officer, intake_input([str(theirs.id)]))
    assert_refused(body, "BAD_USER_INPUT", field="mediaIds")
    assert await _counts() == before
    assert (await Media.get(id=theirs.id)).report_id is None


async def test_staff_upload_evidence_through_the_upload_flow(local_client: httpx.AsyncClient, officer: Caller) -> None:
    """The hotline officer photographs the letter that came by post: createMediaUpload, the form, completion, the
    same checks as a citizen's, then the report."""
    data = photo(size=(400, 300))
    upload = only_data(await create_upload(local_client, officer.token, "image/jpeg", len(data), sha256(data)))[
        "createMediaUpload"
    ]
    posted = await post_form(local_client, upload, data, "letter.jpg")
    assert posted.status_code in (200, 201, 204), posted.text
    media = only_data(await complete(local_client, officer.token, upload["media"]["id"]))["completeMediaUpload"]
    assert media["status"] == "READY"

    body = await record(local_client, officer, intake_input([media["id"]], channel="POST"))
    report = only_data(body)["recordReport"]
    assert [item["id"] for item in report["media"]] == [media["id"]]
    assert (await Media.get(id=media["id"])).owner_id == officer.user.id
