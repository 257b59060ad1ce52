"""The signed receipt (`report { receipt }`) and the public key at its well-known URL: a receipt verifies offline with
the published key, fails after one byte changes, is the same every time it is asked for, and is only for those who
may see the report; the chain's verification is only for the handling agency's staff and admins."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from auth.tokens import TokenCodec
from models.agencies import Agency
from models.enums import Role
from services.custody.signing import verify_signature
from tests.helpers.custody_calls import RECEIPT, custody, report_with_photos
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.query_count import count_queries
from tests.helpers.reports_api import ASSIGN, report_input, submit

WELL_KNOWN = "/.well-known/evidence-signing-key"


async def test_a_receipt_verifies_with_the_published_key_and_fails_after_one_byte(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await report_with_photos(client, citizen, photos=2)

    receipt = only_data(await gql(client, RECEIPT, {"id": report["id"]}, citizen.token))["report"]["receipt"]
    published = await client.get(WELL_KNOWN)

    assert published.status_code == 200
    assert "max-age" in published.headers["cache-control"]
    key = published.json()
    assert receipt["keyId"] == key["kid"] == key["jwk"]["kid"]
    assert receipt["algorithm"] == key["alg"] == "EdDSA"
    document, signature = receipt["document"].encode(), base64.b64decode(receipt["signature"])
    assert verify_signature(key["publicKeyPem"].encode(), document, signature)
    raw = base64.urlsafe_b64decode(key["jwk"]["x"] + "=")
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, document)  # raises if not
    for position in (0, len(document) // 2, len(document) - 1):
        tampered = bytearray(document)
        tampered[position] ^= 0x01
        assert not verify_signature(key["publicKeyPem"].encode(), bytes(tampered), signature)

    fields = json.loads(document)
    assert fields["reportCode"] == report["code"]
    assert fields["reportId"] == report["id"]
    assert {original["mediaId"]: original["sha256"] for original in fields["content"]["originals"]} == {
        media_id: hashlib.sha256(data).hexdigest() for media_id, data in report["originals"].items()
    }
    assert fields["content"]["description"] == report["description"]
    chain = only_data(await custody(client, officer, report["id"]))["report"]["custody"]["entries"]
    assert fields["custody"] == {"seq": 1, "entryHash": chain[0]["hash"]}
    assert json.loads(chain[0]["detail"])["contentHash"] == fields["contentHash"]
    again = only_data(await gql(client, RECEIPT, {"id": report["id"]}, officer.token))["report"]["receipt"]
    assert again == receipt


async def test_a_report_without_evidence_has_a_receipt_too(client: httpx.AsyncClient, citizen: Caller) -> None:
    body = await submit(client, citizen, report_input([], categoryCode="ROAD_DAMAGE", plateNumber=None))
    report = only_data(body)["submitReport"]
    receipt = only_data(await gql(client, RECEIPT, {"id": report["id"]}, citizen.token))["report"]["receipt"]
    assert json.loads(receipt["document"])["content"]["originals"] == []


async def test_only_those_who_may_see_the_report_get_its_receipt_and_only_staff_its_chain(
    client: httpx.AsyncClient,
    citizen: Caller,
    officer: Caller,
    other_officer: Caller,
    admin: Caller,
    codec: TokenCodec,
) -> None:
    report = await report_with_photos(client, citizen)
    stranger = await make_caller(codec, Role.CITIZEN, phone="0987654321")

    for outsider in (stranger, other_officer):
        assert only_data(await gql(client, RECEIPT, {"id": report["id"]}, outsider.token)) == {"report": None}
        assert only_data(await custody(client, outsider, report["id"])) == {"report": None}
    assert_refused(await custody(client, citizen, report["id"]), "FORBIDDEN")
    assert only_data(await custody(client, admin, report["id"]))["report"]["custody"]["intact"] is True
    assert only_data(await gql(client, RECEIPT, {"id": report["id"]}, admin.token))["report"]["receipt"] is not None
    assert_refused(await gql(client, RECEIPT, {"id": report["id"]}), "UNAUTHENTICATED")


async def test_a_transfer_hands_the_chain_to_the_receiving_agency(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller, other_officer: Caller
) -> None:
    report = await report_with_photos(client, citizen)
    ward_police = await Agency.get(code="CA-00070")
    moved = await gql(
        client, ASSIGN, {"id": report["id"], "agencyId": str(ward_police.id), "reason": "Thuộc công an phường"},
        agency_admin.token,
    )  # fmt: skip
    only_data(moved)

    found = only_data(await custody(client, other_officer, report["id"]))["report"]["custody"]

    assert found["intact"] is True
    transferred = found["entries"][-1]
    assert transferred["kind"] == "TRANSFERRED"
    assert transferred["actor"] == {"id": str(agency_admin.user.id)}
    assert json.loads(transferred["detail"])["toAgencyId"] == str(ward_police.id)
    assert only_data(await custody(client, officer, report["id"])) == {"report": None}


async def test_verifying_a_page_of_reports_at_once_is_refused_by_its_cost(
    client: httpx.AsyncClient, officer: Caller
) -> None:
    body = await gql(client, "{ reports(first: 50) { edges { node { custody { intact } } } } }", token=officer.token)
    assert_refused(body, "BAD_USER_INPUT", limit="cost")


async def test_receipts_of_a_page_of_reports_cost_one_query(client: httpx.AsyncClient, citizen: Caller) -> None:
    page = "{ myReports(first: 10) { edges { node { code receipt { keyId signature } } } } }"
    await report_with_photos(client, citizen)
    with count_queries() as one:
        first = only_data(await gql(client, page, token=citizen.token))["myReports"]["edges"]
    for _ in range(3):
        await report_with_photos(client, citizen)
    with count_queries() as four:
        edges = only_data(await gql(client, page, token=citizen.token))["myReports"]["edges"]

    assert len(first) == 1
    assert len(edges) == 4
    assert all(edge["node"]["receipt"]["signature"] for edge in edges)
    assert four.count == one.count, "\n".join(four.statements)
