"""The log itself: concurrent appends to one report keep one chain; on PostgreSQL the table refuses UPDATE and DELETE
whatever path they take; the signing key's settings."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import httpx
import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from api.evidence import evidence_signer
from core.settings import Settings, SettingsError
from models.custody import CustodyEntry
from models.enums import CustodyKind
from services.custody import log
from services.custody.chain import GENESIS_HASH, digest_of
from tests.helpers.custody_calls import custody, report_with_photos
from tests.helpers.environment import PRODUCTION_ENV, TEST_EVIDENCE_SIGNING_KEY
from tests.helpers.factories import Caller
from tests.helpers.graphql import only_data

BURST = 24


async def test_concurrent_appends_to_one_report_keep_one_chain(
    client: httpx.AsyncClient, citizen: Caller, officer: Caller
) -> None:
    report = await report_with_photos(client, citizen)
    report_id = uuid.UUID(report["id"])
    before = await CustodyEntry.filter(report_id=report_id).count()

    appended = await asyncio.gather(
        *(
            log.append(report_id, CustodyKind.VIEWED_ORIGINAL, actor_id=officer.user.id, detail={"n": n})
            for n in range(BURST)
        )
    )

    chain = await log.entries(report_id)
    assert len(chain) == before + BURST
    assert [entry.seq for entry in chain] == list(range(1, before + BURST + 1))
    assert sorted(entry.seq for entry in appended) == list(range(before + 1, before + BURST + 1))
    assert chain[0].previous_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(chain):
        assert entry.previous_hash == previous.entry_hash
        assert digest_of(entry) == entry.entry_hash
    found = only_data(await custody(client, officer, report["id"]))["report"]["custody"]
    assert found["intact"] is True
    assert len(found["entries"]) == before + BURST


async def test_postgresql_refuses_to_update_or_delete_an_entry(
    client: httpx.AsyncClient, citizen: Caller, db_kind: str
) -> None:
    if db_kind != "postgres":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite relies on the code path and the verifier")
    report = await report_with_photos(client, citizen)
    connection = connections.get("default")
    for statement in (
        "UPDATE custody_entry SET detail = '{}' WHERE report_id = $1",
        "DELETE FROM custody_entry WHERE report_id = $1",
    ):
        with pytest.raises(OperationalError, match="append-only"):
            await connection.execute_query(statement, [report["id"]])
    assert await CustodyEntry.filter(report_id=report["id"]).count() == 3


def test_production_requires_an_ed25519_signing_key() -> None:
    without = {key: value for key, value in PRODUCTION_ENV.items() if key != "EVIDENCE_SIGNING_KEY"}
    with pytest.raises(SettingsError, match="EVIDENCE_SIGNING_KEY"):
        Settings.from_env(without)
    with pytest.raises(SettingsError, match="Ed25519"):
        Settings.from_env({**PRODUCTION_ENV, "EVIDENCE_SIGNING_KEY": "-----BEGIN PRIVATE KEY-----\nnope"})
    signer = evidence_signer(Settings.from_env(PRODUCTION_ENV))
    assert signer.public_key_pem().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert TEST_EVIDENCE_SIGNING_KEY not in repr(Settings.from_env(PRODUCTION_ENV))


def test_development_derives_a_stable_key_from_the_session_secret() -> None:
    first, second = (evidence_signer(Settings.from_env({"APP_ENV": "dev"})) for _ in range(2))
    other = evidence_signer(Settings.from_env({"APP_ENV": "dev", "SESSION_SECRET": "s" * 40}))
    assert first.key_id == second.key_id != other.key_id
    assert first.sign(b"receipt") == second.sign(b"receipt")
