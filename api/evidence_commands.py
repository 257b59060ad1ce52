"""The evidence commands. `phananh custody verify [--report CODE]` walks the chains of custody in the database and
re-hashes the stored originals (`services.custody.verify`). `phananh dossier verify FILE.zip --public-key KEY.pem`
(or `--public-key-url URL`) checks an evidence dossier offline (`services.dossiers.verification`): it needs no
database and reads no setting; the key comes from the file given, or from the URL given explicitly (never from this
server's own key), so whoever checks a dossier chooses whom to trust.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from api.db import with_db
from api.storage import open_storage
from core.settings import Settings
from services.custody.verify import verify_reports
from services.dossiers.verification import verify_dossier

KEY_FETCH_SECONDS = 10.0


def add_evidence_commands(commands: Any) -> None:
    """`commands` is the CLI's subparsers object."""
    custody = commands.add_parser("custody", help="the chain of custody of evidence (issue 18)")
    custody_commands = custody.add_subparsers(required=True, metavar="ACTION")
    verify = custody_commands.add_parser(
        "verify", help="walk each report's chain and re-hash its stored originals; exit 1 naming each first broken link"
    )
    verify.add_argument("--report", metavar="CODE", help="only this report (e.g. PA-2026-000123)")
    verify.set_defaults(handler=custody_verify_command)

    dossier = commands.add_parser("dossier", help="evidence dossiers for the penalty file")
    actions = dossier.add_subparsers(required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check a dossier offline: signature, every file's hash and size, the chain of custody"
    )
    verify.add_argument("file", metavar="FILE.zip")
    key = verify.add_mutually_exclusive_group(required=True)
    key.add_argument("--public-key", metavar="KEY.pem", help="the server's public key (PEM)")
    key.add_argument(
        "--public-key-url",
        metavar="URL",
        help="fetch the key from this URL (e.g. https://<api>/.well-known/evidence-signing-key: JSON or PEM)",
    )
    verify.set_defaults(handler=dossier_verify_command)


def public_key(args: argparse.Namespace) -> bytes:
    if args.public_key is not None:
        return Path(args.public_key).read_bytes()
    response = httpx.get(args.public_key_url, timeout=KEY_FETCH_SECONDS, follow_redirects=True)
    response.raise_for_status()
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["publicKeyPem"]).encode()
    return response.content


def dossier_verify_command(settings: Settings, args: argparse.Namespace) -> None:
    """Exit 0 when the dossier holds, 1 naming the first problem, 2 when the key or the file cannot be read."""
    try:
        key = public_key(args)
        with Path(args.file).open("rb") as archive:
            check = verify_dossier(archive, key)
    except (OSError, httpx.HTTPError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(check.describe())
    if not check.ok:
        raise SystemExit(1)


def custody_verify_command(settings: Settings, args: argparse.Namespace) -> None:
    async def walk() -> tuple[int, list[str]]:
        checked, broken = 0, []
        async with open_storage(settings) as storage:
            async for verification in verify_reports(storage, args.report):
                checked += 1
                if verification.broken is not None:
                    broken.append(f"{verification.report_code}: {verification.broken.describe()}")
        return checked, broken

    checked, broken = asyncio.run(with_db(settings, walk))
    if args.report and not checked:
        print(f"error: there is no report {args.report}", file=sys.stderr)
        raise SystemExit(2)
    for line in broken:
        print(f"BROKEN {line}")
    if broken:
        print(f"{len(broken)} of {checked} report(s) fail verification", file=sys.stderr)
        raise SystemExit(1)
    print(f"{checked} report(s) verified: every chain of custody and original intact")
