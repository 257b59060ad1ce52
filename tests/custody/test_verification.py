"""The chain of custody verified through the GraphQL field and `phananh custody verify`, on both stores: untouched
reports verify; an original altered in the store or an entry altered in the database is named as the first broken
link."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from tortoise import connections

from models.media import Media
from tests.helpers.custody_calls import GENESIS, custody, report_with_photos, verify_cli
from tests.helpers.factories import Caller
from tests.helpers.graphql import only_data
from tests.helpers.media_env import MediaEnv
from tests.helpers.reports_api import ANSWER, decide


async def test_a_submitted_report_verifies_intact(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, officer: Caller
) -> None:
    report = await report_with_photos(media_client, citizen, photos=2)
    only_data(await decide(media_client, officer, report["id"], outcome="REJECT", responseToCitizen=ANSWER))

    found = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]

    assert found["intact"] is True
    assert found["firstBrokenLink"] is None
    assert found["brokenLink"] is None
    assert found["originalsChecked"] == 2
    kinds = [entry["kind"] for entry in found["entries"]]
    assert kinds == ["RECEIVED", *["CHECKED", "DERIVATIVE_MADE"] * 2, "DECIDED"]
    assert [entry["seq"] for entry in found["entries"]] == list(range(1, 7))
    assert found["entries"][0]["previousHash"] == GENESIS
    for before, after in itertools.pairwise(found["entries"]):
        assert after["previousHash"] == before["hash"]
    received = json.loads(found["entries"][0]["detail"])
    fixed = {original["mediaId"]: original["sha256"] for original in received["content"]["originals"]}
    stored = {str(media.id): media.sha256 for media in await Media.filter(report_id=report["id"])}
    assert fixed == stored
    assert found["entries"][0]["actor"] is None  # the provider is never in the chain
    assert found["entries"][-1]["actor"] == {"id": str(officer.user.id)}
    assert json.loads(found["entries"][-1]["detail"])["outcome"] == "REJECT"

    done = verify_cli(media_env.settings, report["code"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 report(s) verified" in done.stdout
    everything = verify_cli(media_env.settings)
    assert everything.returncode == 0, everything.stdout + everything.stderr
    unknown = verify_cli(media_env.settings, "PA-1999-999999")
    assert unknown.returncode == 2
    assert "there is no report PA-1999-999999" in unknown.stderr


async def test_an_original_altered_in_the_store_is_the_first_broken_link(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, officer: Caller
) -> None:
    untouched = await report_with_photos(media_client, citizen)
    report = await report_with_photos(media_client, citizen, photos=2)
    victim = sorted(report["originals"])[1]
    media = await Media.get(id=victim)
    altered = bytearray(report["originals"][victim])
    altered[-3] ^= 0x01
    await media_env.storage.put(media.object_key, bytes(altered), media.content_type)

    found = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]

    assert found["intact"] is False
    assert found["brokenLink"]["mediaId"] == victim
    assert found["brokenLink"]["seq"] is None
    assert "altered" in found["brokenLink"]["problem"]
    assert found["firstBrokenLink"].startswith(f"original {victim}: altered")
    assert found["originalsChecked"] == 1
    assert only_data(await custody(media_client, officer, untouched["id"]))["report"]["custody"]["intact"] is True

    refused = verify_cli(media_env.settings)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"BROKEN {report['code']}: original {victim}: altered" in refused.stdout
    assert untouched["code"] not in refused.stdout
    assert "1 of 2 report(s) fail verification" in refused.stderr

    await media_env.storage.delete([media.object_key])
    missing = verify_cli(media_env.settings, report["code"])
    assert missing.returncode == 1
    assert f"original {victim}: missing from the store" in missing.stdout


async def test_an_entry_altered_in_the_database_is_the_first_broken_link(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, officer: Caller, db_kind: str
) -> None:
    report = await report_with_photos(media_client, citizen)
    async with _guard_lifted(db_kind):
        await connections.get("default").execute_query(
            """UPDATE custody_entry SET detail = '{"mediaId":"forged"}' WHERE report_id = $1 AND seq = 2""".replace(
                "$1", "?" if db_kind == "sqlite" else "$1"
            ),
            [report["id"]],
        )

    found = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]

    assert found["intact"] is False
    assert found["brokenLink"] == {
        "seq": 2,
        "kind": "CHECKED",
        "mediaId": None,
        "problem": "altered: its hash does not match its content",
    }
    assert found["originalsChecked"] == 0
    refused = verify_cli(media_env.settings, report["code"])
    assert refused.returncode == 1
    assert f"BROKEN {report['code']}: entry 2 (CHECKED): altered" in refused.stdout


async def test_the_report_changed_after_receipt_is_named(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, officer: Caller
) -> None:
    report = await report_with_photos(media_client, citizen)
    await connections.get("default").execute_query(
        "UPDATE report SET description = 'Không có gì' WHERE code = '" + report["code"] + "'"
    )

    found = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]

    assert found["brokenLink"]["seq"] == 1
    assert found["brokenLink"]["kind"] == "RECEIVED"
    assert "description changed" in found["brokenLink"]["problem"]


async def test_entries_cut_from_the_end_leave_a_decision_without_its_entry(
    media_client: httpx.AsyncClient, media_env: MediaEnv, citizen: Caller, officer: Caller, db_kind: str
) -> None:
    report = await report_with_photos(media_client, citizen)
    only_data(await decide(media_client, officer, report["id"], outcome="ACCEPT"))
    async with _guard_lifted(db_kind):
        await connections.get("default").execute_query("DELETE FROM custody_entry WHERE kind = 'DECIDED'")

    found = only_data(await custody(media_client, officer, report["id"]))["report"]["custody"]

    assert found["intact"] is False
    assert found["brokenLink"]["kind"] == "DECIDED"
    assert found["brokenLink"]["problem"].startswith("missing: decision")


@asynccontextmanager
async def _guard_lifted(db_kind: str) -> AsyncIterator[None]:
    """On PostgreSQL the table's trigger refuses UPDATE and DELETE; a tamperer with the table owner's rights (as this
    test connects) disables it first, which is exactly what the verifier is for."""
    connection = connections.get("default")
    if db_kind == "postgres":
        await connection.execute_script("ALTER TABLE custody_entry DISABLE TRIGGER custody_entry_append_only")
    try:
        yield
    finally:
        if db_kind == "postgres":
            await connection.execute_script("ALTER TABLE custody_entry ENABLE TRIGGER custody_entry_append_only")
