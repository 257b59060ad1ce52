"""Who may export a report's evidence dossier: the handling agency's officers and admins and city admins; citizens
are FORBIDDEN, other agencies' staff do not see the report (NOT_FOUND), and a link follows its user as they are when
it is fetched. Every export, and only a fetched one, becomes an EXPORTED entry of the chain of custody."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx

from models.agencies import Agency
from services.dossiers.verification import verify_dossier
from tests.helpers.dossiers import (
    EXPORT,
    custody_of,
    export_link,
    exported,
    path_of,
    published_key,
    stored_report,
)
from tests.helpers.factories import Caller
from tests.helpers.graphql import assert_refused, gql


async def test_the_handling_agency_and_admins_export_and_each_export_is_recorded(
    app: Any, client: httpx.AsyncClient, citizen: Caller, officer: Caller, agency_admin: Caller, admin: Caller
) -> None:
    report = await stored_report(app.state.storage, citizen.user, b"\x00\x00\x00\x18ftypisom original", b"served")
    key = await published_key(client)
    hashes = []
    for caller in (officer, agency_admin, admin):
        check = verify_dossier(io.BytesIO(await exported(client, caller, str(report.id))), key)
        assert check.ok, check.describe()
        hashes.append(check.manifest_sha256)

    custody = await custody_of(client, officer, str(report.id))
    assert custody["intact"], custody["firstBrokenLink"]
    exports = [entry for entry in custody["entries"] if entry["kind"] == "EXPORTED"]
    assert [entry["actor"]["id"] for entry in exports] == [str(c.user.id) for c in (officer, agency_admin, admin)]
    assert [json.loads(entry["detail"])["manifestSha256"] for entry in exports] == hashes
    assert len(set(hashes)) == 3  # each manifest carries the chain as it stood, previous exports included


async def test_citizens_other_agencies_and_strangers_cannot_export(
    app: Any, client: httpx.AsyncClient, citizen: Caller, officer: Caller, other_officer: Caller
) -> None:
    report = await stored_report(app.state.storage, citizen.user, b"original", b"served")
    variables = {"id": str(report.id)}
    assert_refused(await gql(client, EXPORT, variables, citizen.token), "FORBIDDEN")
    assert_refused(await gql(client, EXPORT, variables, other_officer.token), "NOT_FOUND")
    assert_refused(await gql(client, EXPORT, variables), "UNAUTHENTICATED")
    assert_refused(await gql(client, EXPORT, {"id": "not-a-report"}, officer.token), "NOT_FOUND")
    assert_refused(await gql(client, EXPORT, {"id": "x" * 65}, officer.token), "BAD_USER_INPUT", field="reportId")


async def test_a_link_is_judged_when_fetched_and_only_a_fetch_is_recorded(
    app: Any, client: httpx.AsyncClient, citizen: Caller, officer: Caller, admin: Caller
) -> None:
    report = await stored_report(app.state.storage, citizen.user, b"original", b"served")
    link = await export_link(client, officer, str(report.id))
    before = await custody_of(client, admin, str(report.id))
    assert "EXPORTED" not in [entry["kind"] for entry in before["entries"]]  # issuing a link exports nothing

    officer.user.agency = await Agency.get(code="CA-00070")
    await officer.user.save(update_fields=["agency_id"])
    moved = await client.get(path_of(link))
    assert moved.status_code == 404
    assert moved.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    after = await custody_of(client, admin, str(report.id))
    assert after["entries"] == before["entries"]
