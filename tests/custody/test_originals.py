"""Staff obtaining an original at full resolution (`viewOriginalMedia`), on both stores: the bytes are the original's,
and who took them is in the chain of custody; nobody else obtains them."""

from __future__ import annotations

import json

import httpx

from tests.helpers.custody_calls import custody, report_with_photos
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, gql, only_data

VIEW_ORIGINAL = "mutation($id: ID!) { viewOriginalMedia(mediaId: $id) { url expiresAt media { id sha256 } } }"


async def test_staff_get_the_original_and_the_chain_records_who(
    media_client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await report_with_photos(media_client, citizen)
    ((media_id, data),) = report["originals"].items()

    original = only_data(await gql(media_client, VIEW_ORIGINAL, {"id": media_id}, officer.token))["viewOriginalMedia"]

    fetched = await media_client.get(original["url"])
    assert fetched.status_code == 200
    assert fetched.content == data
    found = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]
    assert found["intact"] is True
    last = found["entries"][-1]
    assert last["kind"] == "VIEWED_ORIGINAL"
    assert last["actor"] == {"id": str(officer.user.id)}
    assert json.loads(last["detail"]) == {"mediaId": media_id, "sha256": original["media"]["sha256"]}


async def test_nobody_else_gets_an_original(
    media_client: httpx.AsyncClient, citizen: Caller, other_officer: Caller, officer: Caller
) -> None:
    report = await report_with_photos(media_client, citizen)
    (media_id,) = report["originals"]

    assert_refused(await gql(media_client, VIEW_ORIGINAL, {"id": media_id}, citizen.token), "FORBIDDEN")
    assert_refused(await gql(media_client, VIEW_ORIGINAL, {"id": media_id}, other_officer.token), "NOT_FOUND")
    assert_refused(await gql(media_client, VIEW_ORIGINAL, {"id": "not-an-id"}, officer.token), "NOT_FOUND")
    entries = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]["entries"]
    assert "VIEWED_ORIGINAL" not in {entry["kind"] for entry in entries}
