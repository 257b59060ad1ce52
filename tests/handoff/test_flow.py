"""Issues 9 and 14 end to end, the way the two apps call it: a draft made in Zalo, handed to the city app by a link
and its QR code, redeemed once, submitted; the citizen confirms joining the two accounts (Zalo proved the phone the
city app signs in with); both apps then show the same reports, and the decision is answered on Zalo."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import segno

from api.notifications import notifier, retry_policy
from core.settings import Settings
from models.enums import IdentityProvider, NotificationStatus
from models.handoff import Handoff
from models.notifications import Notification
from models.users import Identity
from services.notifications.dispatch import send_due
from tests.helpers.auth_flows import zalo_login
from tests.helpers.factories import Caller, make_media
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.handoff_calls import (
    ME,
    MY_REPORTS,
    city_app_caller,
    confirm_join,
    create_join_offer,
    my_report_ids,
    redeem,
    redeem_offer,
    svg_modules,
    token_of,
    zalo_caller,
)
from tests.helpers.reports_api import ANSWER, decide, report_input, submit, submitted

PHONE = "0987654321"


def zalo_draft(media_ids: list[str]) -> dict[str, Any]:
    values = report_input(media_ids, plateNumber="29a 123.45")
    values.pop("channel")
    return values


async def test_from_zalo_to_the_city_app_and_back(
    client: httpx.AsyncClient, settings: Settings, officer: Caller
) -> None:
    zalo = await zalo_caller(client, "zl-flow-1")
    city = await city_app_caller(client, PHONE)
    earlier_on_zalo = await submitted(client, zalo)
    earlier_in_city_app = await submitted(client, city, channel="IHANOI")
    photo = await make_media(zalo.user)
    draft = zalo_draft([str(photo.id)])

    handoff = only_data(await create_join_offer(client, zalo, PHONE, draft))["createHandoff"]
    assert handoff["url"].startswith(f"{settings.city_app_handoff_url}?token=")
    token = token_of(handoff["url"])
    assert len(token) >= 40
    for personal in ("zl-flow-1", str(zalo.user.id), PHONE, "29A", str(photo.id)):
        assert personal not in handoff["url"]
    expected = segno.make(handoff["url"], error="m").matrix
    assert svg_modules(handoff["qrCodeSvg"]) == {
        (row, column) for row, line in enumerate(expected) for column, dark in enumerate(line) if dark
    }
    expires_in = datetime.fromisoformat(handoff["expiresAt"]) - datetime.now(UTC)
    assert 0 < expires_in.total_seconds() <= settings.handoff_ttl_seconds
    assert (await Handoff.get()).token_hash != token

    received = only_data(await redeem_offer(client, city, token))["redeemHandoff"]
    offer = received.pop("joinOffer")
    assert received == {
        "categoryCode": "RED_LIGHT",
        "description": draft["description"],
        "occurredAt": datetime.fromisoformat(draft["occurredAt"]).astimezone(UTC).isoformat(),
        "plateNumber": "29A-123.45",
        "mediaIds": [str(photo.id)],
        "location": {**draft["location"], "wardCode": None},
    }
    assert datetime.fromisoformat(offer.pop("confirmBefore")) > datetime.now(UTC)
    assert offer == {"status": "CONFIRMABLE", "zaloAccountId": str(zalo.user.id), "zaloName": "Zalo zl-flow-1"}
    again = await redeem(client, city, token)
    assert_refused(again, "CONFLICT")
    assert again["errors"][0]["extensions"]["reason"] == "already_redeemed"

    submission = report_input(received["mediaIds"], channel="IHANOI")
    report = only_data(await submit(client, city, submission))["submitReport"]
    assert [m["id"] for m in report["media"]] == [str(photo.id)]
    assert my_report_ids(await gql(client, MY_REPORTS, {}, zalo.token)) == {earlier_on_zalo["id"]}, "not joined yet"

    join = only_data(await confirm_join(client, city, token, offer["zaloAccountId"]))["confirmAccountJoin"]
    assert (join["intoAccountId"], join["absorbedAccountId"]) == (str(zalo.user.id), str(city.user.id))
    everything = {earlier_on_zalo["id"], earlier_in_city_app["id"], report["id"]}
    assert my_report_ids(await gql(client, MY_REPORTS, {}, zalo.token)) == everything
    assert my_report_ids(await gql(client, MY_REPORTS, {}, city.token)) == everything
    same_person = {only_data(await gql(client, ME, {}, caller.token))["me"]["id"] for caller in (zalo, city)}
    assert same_person == {str(zalo.user.id)}
    assert (await zalo_login(client, "zl-flow-1"))["user"]["id"] == str(zalo.user.id)
    phone_identity = await Identity.get(provider=IdentityProvider.PHONE)
    assert phone_identity.user_id == zalo.user.id

    only_data(await decide(client, officer, report["id"], outcome="REJECT", responseToCitizen=ANSWER))
    queued = await Notification.all()
    assert [(n.recipient, n.status, str(n.report_id)) for n in queued] == [
        ("zl-flow-1", NotificationStatus.PENDING, report["id"])
    ]
    sender = notifier(settings)
    assert sender is not None
    summary = await send_due(sender, retry_policy(settings))
    assert (summary.sent, summary.retried, summary.failed) == (1, 0, 0)
    assert (await Notification.get()).status is NotificationStatus.SENT
    outbox = (await client.get("/dev/notifications", params={"to": "zl-flow-1"})).json()["messages"]
    assert len(outbox) == 1
    assert report["code"] in outbox[0]["text"]
    assert ANSWER in outbox[0]["text"]
    assert (await send_due(sender, retry_policy(settings))).sent == 0
