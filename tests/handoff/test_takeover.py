"""Issue 14, finding 2: an attacker sends their own handoff link and the victim's city app opens it. Before the fix
this joined the victim's account into the attacker's: the attacker read the victim's reports and uploads, the
victim's phone became the reporter of the attacker's reports, and the victim's next sign-in opened the attacker's
account. Opening a link now hands over a draft and nothing else, whatever the link offers."""

from __future__ import annotations

from typing import Any

import httpx

from models.enums import Channel
from models.handoff import Handoff
from tests.helpers.factories import Caller, make_media
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.handoff_calls import (
    CREATE_JOIN_OFFER,
    ME,
    MY_REPORTS,
    REPORT_AND_MEDIA,
    city_app_caller,
    confirm_join,
    create_handoff,
    join_offer_link,
    my_report_ids,
    otp_session,
    redeem,
    redeem_offer,
    sign_in_code,
    token_of,
    visible_to,
    zalo_caller,
)
from tests.helpers.reports_api import submitted

VICTIM_PHONE = "0935000001"
ATTACKER_PHONE = "0935000002"


async def _victim_with_history(client: httpx.AsyncClient) -> tuple[Caller, dict[str, Any], str]:
    """A city-app citizen with a report (its photo carries GPS) and an upload not yet used."""
    victim = await city_app_caller(client, VICTIM_PHONE)
    report = await submitted(client, victim, channel=Channel.IHANOI.value)
    unused = await make_media(victim.user)
    return victim, report, str(unused.id)


async def _assert_attacker_got_nothing(
    client: httpx.AsyncClient,
    attacker: Caller,
    attackers_report: dict[str, Any],
    victim: Caller,
    victims_report: dict[str, Any],
    victims_upload: str,
    officer: Caller,
) -> None:
    victims_media = [media["id"] for media in victims_report["media"]] + [victims_upload]
    assert my_report_ids(await gql(client, MY_REPORTS, {}, attacker.token)) == {attackers_report["id"]}
    assert await visible_to(client, attacker, victims_report["id"], victims_media) == set()
    everything_of_the_victims = {victims_report["id"], *victims_media}
    assert await visible_to(client, victim, victims_report["id"], victims_media) == everything_of_the_victims

    seen_by_officer = only_data(await gql(client, REPORT_AND_MEDIA, {"id": attackers_report["id"]}, officer.token))
    assert seen_by_officer["report"]["reporter"] == {"id": str(attacker.user.id), "phone": None}

    again = await otp_session(client, VICTIM_PHONE)
    assert again["user"]["id"] == str(victim.user.id), "the victim's next sign-in opens the victim's own account"
    assert my_report_ids(await gql(client, MY_REPORTS, {}, again["accessToken"])) == {victims_report["id"]}
    assert only_data(await gql(client, ME, {}, victim.token))["me"]["id"] == str(victim.user.id)


async def test_opening_an_attackers_link_gives_the_attacker_nothing(client: httpx.AsyncClient, officer: Caller) -> None:
    attacker = await zalo_caller(client, "zl-attacker")
    attackers_report = await submitted(client, attacker)
    victim, victims_report, victims_upload = await _victim_with_history(client)
    bait = await make_media(attacker.user)
    link = await create_handoff(client, attacker, {"description": "Xem giúp", "mediaIds": [str(bait.id)]})

    received = only_data(await redeem(client, victim, token_of(only_data(link)["createHandoff"]["url"])))
    assert received["redeemHandoff"]["description"] == "Xem giúp", "the draft is still handed over"
    assert received["redeemHandoff"]["mediaIds"] == [str(bait.id)]

    await _assert_attacker_got_nothing(
        client, attacker, attackers_report, victim, victims_report, victims_upload, officer
    )
    assert await visible_to(client, attacker, attackers_report["id"], [str(bait.id)]) == {attackers_report["id"]}


async def test_an_attackers_join_offer_cannot_be_confirmed(client: httpx.AsyncClient, officer: Caller) -> None:
    """The attacker offers a join proving their own phone: the victim's app learns no name, and even a victim who
    confirms (tricked, or by a careless client) is refused, because the phones differ."""
    attacker = await zalo_caller(client, "zl-attacker-offer")
    attackers_report = await submitted(client, attacker)
    victim, victims_report, victims_upload = await _victim_with_history(client)
    token = await join_offer_link(client, attacker, ATTACKER_PHONE)

    offer = only_data(await redeem_offer(client, victim, token))["redeemHandoff"]["joinOffer"]
    assert (offer["status"], offer["zaloAccountId"], offer["zaloName"]) == ("PHONE_MISMATCH", None, None)
    refused = await confirm_join(client, victim, token, str(attacker.user.id))
    assert_refused(refused, "FORBIDDEN", reason="phone_mismatch")

    await _assert_attacker_got_nothing(
        client, attacker, attackers_report, victim, victims_report, victims_upload, officer
    )


async def test_the_attacker_cannot_offer_the_victims_phone(client: httpx.AsyncClient) -> None:
    """Offering a join on someone else's number needs the code sent to that number."""
    attacker = await zalo_caller(client, "zl-attacker-phone")
    sent = await sign_in_code(client, VICTIM_PHONE)  # anyone may have a code sent; only the phone's holder reads it
    guess = f"{(int(sent) + 1) % 1_000_000:06d}"
    body = await gql(client, CREATE_JOIN_OFFER, {"draft": None, "phone": VICTIM_PHONE, "code": guess}, attacker.token)
    assert_refused(body, "BAD_USER_INPUT", field="joinPhone.code", reason="invalid_code")
    assert await Handoff.all().count() == 0
