"""An evidence dossier exported through the API (on both stores) verifies offline with only the key published at the
well-known URL, fails naming the member when any one of them changes, says what the penalty file needs without the
provider's identity, and leaves its export in the chain of custody."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.tokens import TokenCodec
from models.enums import Role
from models.media import Media
from services.dossiers.verification import verify_dossier
from tests.helpers.dossiers import custody_of, damaged, export_link, exported, path_of, published_key, rebuilt, uploaded
from tests.helpers.factories import Caller, make_caller
from tests.helpers.graphql import only_data
from tests.helpers.media_env import MediaEnv
from tests.helpers.media_files import LAKE_LATITUDE, LAKE_LONGITUDE, moov_with_location, mp4, photo, sha256
from tests.helpers.reports_api import ANSWER, decide, report_input, submit

SHOT_AT = datetime(2026, 11, 30, 7, 45, tzinfo=UTC)
LEGAL_BASIS = "Nghị định 168/2024/NĐ-CP, điểm a khoản 9 Điều 6"


async def penalised_report(client: httpx.AsyncClient, citizen: Caller, codec: TokenCodec) -> dict[str, Any]:
    """A photo with EXIF time and GPS and a video larger than a stream chunk, submitted, accepted and penalised."""
    still = photo(taken=SHOT_AT.replace(tzinfo=None), gps=(LAKE_LATITUDE, LAKE_LONGITUDE))
    clip = mp4(payload_bytes=1_500_000, moov=moov_with_location(LAKE_LATITUDE, LAKE_LONGITUDE, SHOT_AT))
    photo_id = await uploaded(client, citizen, still, "image/jpeg", "anh.jpg")
    video_id = await uploaded(client, citizen, clip, "video/mp4", "clip.mp4")
    report: dict[str, Any] = only_data(await submit(client, citizen, report_input([photo_id, video_id])))[
        "submitReport"
    ]
    officer = await make_caller(codec, Role.OFFICER, report["agency"]["code"])
    only_data(await decide(client, officer, report["id"], outcome="ACCEPT"))
    only_data(
        await decide(
            client,
            officer,
            report["id"],
            outcome="PENALIZE",
            fineAmountVnd=4_000_000,
            legalBasis=LEGAL_BASIS,
            responseToCitizen=ANSWER,
        )
    )
    return {"report": report, "officer": officer, "still": still, "clip": clip, "ids": (photo_id, video_id)}


async def test_a_dossier_verifies_offline_and_records_its_export(
    media_client: httpx.AsyncClient, citizen: Caller, codec: TokenCodec
) -> None:
    case = await penalised_report(media_client, citizen, codec)
    report, officer = case["report"], case["officer"]
    photo_id, video_id = case["ids"]

    dossier = await exported(media_client, officer, report["id"])
    check = verify_dossier(io.BytesIO(dossier), await published_key(media_client))
    assert check.ok, check.describe()
    assert (check.report_code, check.files_checked) == (report["code"], 5)

    with zipfile.ZipFile(io.BytesIO(dossier)) as archive:
        original = archive.getinfo(f"originals/{video_id}.mp4")
        assert original.compress_type == zipfile.ZIP_STORED
        assert archive.read(original) == case["clip"]
        assert archive.read(f"originals/{photo_id}.jpg") == case["still"]
        assert sorted(archive.namelist()) == sorted(
            [
                "README.txt",
                "manifest.json",
                "manifest.sig",
                f"originals/{photo_id}.jpg",
                f"originals/{video_id}.mp4",
                f"served/{photo_id}/display.jpg",
                f"served/{video_id}/display.mp4",
            ]
        )
        text = archive.read("manifest.json").decode()
        readme = archive.read("README.txt").decode()
    manifest = json.loads(text)
    for expected in ("phananh dossier verify", "HỒ SƠ CHỨNG CỨ", "EVIDENCE DOSSIER", report["code"]):
        assert expected in readme

    facts = {item["mediaId"]: item for item in manifest["media"]}
    assert facts[photo_id]["gps"] == pytest.approx({"latitude": LAKE_LATITUDE, "longitude": LAKE_LONGITUDE}, abs=1e-4)
    assert facts[photo_id]["capturedAt"] is not None
    assert facts[video_id]["gps"] is not None
    assert manifest["report"]["contentHash"] == manifest["custody"]["entries"][0]["detail"]["contentHash"]
    assert [(d["outcome"], d["fineAmountVnd"], d["legalBasis"]) for d in manifest["decisions"]] == [
        ("ACCEPT", None, ""),
        ("PENALIZE", 4_000_000, LEGAL_BASIS),
    ]
    assert manifest["timeline"][0]["actor"] == {"role": "PROVIDER"}
    assert str(citizen.user.id) not in text
    assert "0912345678" not in text
    kinds = [entry["kind"] for entry in manifest["custody"]["entries"]]
    assert kinds[0] == "RECEIVED"
    assert "DECIDED" in kinds
    assert "EXPORTED" not in kinds
    assert manifest["export"]["by"]["id"] == str(officer.user.id)
    assert {f["path"]: f["sha256"] for f in manifest["files"]}[f"originals/{video_id}.mp4"] == sha256(case["clip"])

    custody = await custody_of(media_client, officer, report["id"])
    assert custody["intact"], custody["firstBrokenLink"]
    last = custody["entries"][-1]
    assert last["kind"] == "EXPORTED"
    assert last["actor"]["id"] == str(officer.user.id)
    assert json.loads(last["detail"])["manifestSha256"] == check.manifest_sha256
    assert last["seq"] == len(kinds) + 1


async def test_one_changed_byte_anywhere_fails_naming_the_member(
    media_client: httpx.AsyncClient, citizen: Caller, codec: TokenCodec
) -> None:
    case = await penalised_report(media_client, citizen, codec)
    photo_id, video_id = case["ids"]
    dossier = await exported(media_client, case["officer"], case["report"]["id"])
    key = await published_key(media_client)
    members = [
        f"originals/{video_id}.mp4",
        f"originals/{photo_id}.jpg",
        f"served/{video_id}/display.mp4",
        f"served/{photo_id}/display.jpg",
        "README.txt",
        "manifest.json",
        "manifest.sig",
    ]
    for member in members:
        check = verify_dossier(io.BytesIO(rebuilt(dossier, alter=member)), key)
        assert (check.ok, check.path) == (False, member), check.describe()
    for member in members[:4]:
        check = verify_dossier(io.BytesIO(damaged(dossier, member)), key)
        assert (check.ok, check.path) == (False, member), check.describe()

    extra = verify_dossier(io.BytesIO(rebuilt(dossier, add=("originals/them.jpg", case["still"]))), key)
    assert (extra.path, extra.problem) == ("originals/them.jpg", "not listed in the manifest")
    assert verify_dossier(io.BytesIO(rebuilt(dossier)), key).ok  # rebuilding alone changes nothing that counts


async def test_a_stored_file_that_changed_is_never_exported(
    media_env: MediaEnv, media_client: httpx.AsyncClient, citizen: Caller, codec: TokenCodec
) -> None:
    case = await penalised_report(media_client, citizen, codec)
    report, officer = case["report"], case["officer"]
    photo = await Media.get(id=case["ids"][0])
    before = await custody_of(media_client, officer, report["id"])
    assert photo.derivative_key is not None

    await media_env.storage.put(photo.derivative_key, b"\xff\xd8 not what was served", "image/jpeg")
    served = await media_client.get(path_of(await export_link(media_client, officer, report["id"])))
    assert served.status_code == 409
    error = served.json()["errors"][0]
    assert error["extensions"]["code"] == "CONFLICT"
    assert f"served/{photo.id}/display.jpg" in error["message"]

    await media_env.storage.put(photo.object_key, case["still"][:-1] + b"\x00", "image/jpeg")
    original = await media_client.get(path_of(await export_link(media_client, officer, report["id"])))
    assert original.status_code == 409
    assert str(photo.id) in original.json()["errors"][0]["message"]
    after = await custody_of(media_client, officer, report["id"])
    assert [e["kind"] for e in after["entries"]] == [e["kind"] for e in before["entries"]]  # nothing was exported


async def test_another_key_does_not_verify(media_client: httpx.AsyncClient, citizen: Caller, codec: TokenCodec) -> None:
    case = await penalised_report(media_client, citizen, codec)
    dossier = await exported(media_client, case["officer"], case["report"]["id"])
    stranger = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    check = verify_dossier(io.BytesIO(dossier), stranger)
    assert check.path == "manifest.sig"
    assert "does not verify" in str(check.problem)
