"""The provider of a recorded report: confidential to the handling agency (not another agency's officer, not the
provider's own app, not Open311), and answered by SMS through the notification queue while they have no app
account; without a phone nothing is queued and staff read why."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.settings import Settings
from models.enums import NotificationChannel, NotificationStatus
from models.notifications import Notification
from services.notifications.dispatch import RetryPolicy, send_due
from services.notifications.outbox import DevNotificationOutbox
from tests.helpers.factories import Caller
from tests.helpers.graphql import gql, only_data
from tests.helpers.handoff_calls import MY_REPORTS, city_app_caller
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ANSWER, decide
from tests.intake.calls import CANONICAL_PHONE, PROVIDER, REPORT_WITH_PROVIDER, recorded

PROVIDERS_PAGE = """
query($first: Int!) {
  reports(first: $first) { edges { node { code provider { name phone answer recordedBy { id } } } } }
}
"""


async def _read(client: httpx.AsyncClient, caller: Caller, report_id: str) -> dict[str, object] | None:
    report: dict[str, object] | None = only_data(
        await gql(client, REPORT_WITH_PROVIDER, {"id": report_id}, caller.token)
    )["report"]
    return report


async def test_only_the_handling_agency_and_admins_read_the_provider(
    client: httpx.AsyncClient, officer: Caller, other_officer: Caller, admin: Caller
) -> None:
    """Recorded by a ward police officer, routed to the city traffic police: from then on only they read it."""
    report = await recorded(client, other_officer, channel="WALK_IN")
    assert report["agency"]["code"] == "PC08"
    assert report["provider"] is None, "the recorder's agency does not handle it"
    assert report["reporter"] is None
    assert await _read(client, other_officer, report["id"]) is None

    handling = await _read(client, officer, report["id"])
    assert handling is not None
    assert handling["provider"]["name"] == PROVIDER["name"]  # type: ignore[index]
    assert handling["provider"]["recordedBy"]["id"] == str(other_officer.user.id)  # type: ignore[index]
    overseeing = await _read(client, admin, report["id"])
    assert overseeing is not None
    assert overseeing["provider"]["phone"] == CANONICAL_PHONE  # type: ignore[index]

    published = (await client.get("/open311/v2/requests.json")).text + (
        await client.get("/open311/v2/requests.xml")
    ).text
    assert report["code"] in published
    for secret in (PROVIDER["name"], CANONICAL_PHONE, "912345001"):
        assert secret not in published


async def test_the_provider_signing_in_with_that_phone_sees_the_report_but_not_the_intake(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    report = await recorded(client, officer)
    provider = await city_app_caller(client, PROVIDER["phone"])
    mine = only_data(await gql(client, MY_REPORTS, token=provider.token))["myReports"]["edges"]
    assert [(edge["node"]["code"], edge["node"]["channel"]) for edge in mine] == [(report["code"], "HOTLINE")]
    seen = await _read(client, provider, report["id"])
    assert seen is not None
    assert seen["provider"] is None
    assert seen["reporter"] is None
    assert seen["timeline"][0]["actor"] is None, "the citizen does not learn which officer wrote it down"  # type: ignore[index]
    assert (await _read(client, officer, report["id"]))["provider"]["answer"] == "APP"  # type: ignore[index]


async def test_a_decision_is_sent_to_the_provider_by_sms(
    client: httpx.AsyncClient, officer: Caller, settings: Settings, tmp_path: Path
) -> None:
    report = await recorded(client, officer, channel="POST")
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    only_data(await decide(client, officer, report["id"], outcome="RESOLVE", responseToCitizen=ANSWER))

    queued = await Notification.all().order_by("id")
    assert [(n.channel, n.recipient, n.status) for n in queued] == [
        (NotificationChannel.SMS, CANONICAL_PHONE, NotificationStatus.PENDING)
    ] * 2
    assert report["code"] in queued[0].payload["text"]
    assert ANSWER in queued[1].payload["text"]
    assert len(queued[1].payload["text"]) <= 335

    outbox = DevNotificationOutbox(tmp_path / "dev-notifications.jsonl")
    summary = await send_due(outbox, RetryPolicy(max_attempts=3, base_seconds=30))
    assert summary.sent == 2
    delivered = outbox.read(CANONICAL_PHONE)
    assert [message["channel"] for message in delivered] == ["SMS", "SMS"]
    assert ANSWER in delivered[0]["text"]


async def test_no_phone_no_sms_and_staff_read_why(client: httpx.AsyncClient, officer: Caller) -> None:
    report = await recorded(client, officer, channel="WALK_IN", provider={"name": "Người gửi thư"})
    assert report["provider"]["answer"] == "NONE"
    only_data(await decide(client, officer, report["id"], outcome="REJECT", responseToCitizen=ANSWER))
    assert await Notification.all().count() == 0


async def test_a_provider_in_the_app_gets_no_sms(client: httpx.AsyncClient, officer: Caller) -> None:
    await city_app_caller(client, PROVIDER["phone"])
    report = await recorded(client, officer)
    assert report["provider"]["answer"] == "APP"
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    assert not await Notification.filter(channel=NotificationChannel.SMS).exists()


async def test_providers_in_a_list_cost_the_same_for_any_number_of_reports(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    async def statements(first: int) -> int:
        with count_queries() as log:
            page = only_data(await gql(client, PROVIDERS_PAGE, {"first": first}, officer.token))["reports"]["edges"]
        assert len(page) == first
        assert all(edge["node"]["provider"]["name"] for edge in page)
        return log.count

    for _ in range(6):
        await recorded(client, officer)
    assert await statements(2) == await statements(6)


async def test_a_zalo_sender_leaves_sms_answers_queued(
    client: httpx.AsyncClient, officer: Caller, tmp_path: Path
) -> None:
    """No SMS vendor is integrated yet: a sender of Zalo messages must neither send a phone number to Zalo as a user
    id nor give the SMS up; it stays queued, untouched, for an SMS sender."""
    report = await recorded(client, officer)
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    outbox = DevNotificationOutbox(tmp_path / "zalo-only.jsonl")
    only_zalo = await send_due(
        outbox, RetryPolicy(max_attempts=1, base_seconds=30), channels={NotificationChannel.ZALO}
    )
    assert (only_zalo.sent, only_zalo.failed, outbox.read()) == (0, 0, [])
    waiting = await Notification.get(channel=NotificationChannel.SMS)
    assert (waiting.status, waiting.attempts) == (NotificationStatus.PENDING, 0)
