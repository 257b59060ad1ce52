"""`phananh dossier verify FILE.zip --public-key KEY.pem` (or `--public-key-url URL`): the offline verifier of an
evidence dossier (`services.dossiers.verification`) from a shell. It needs no database and reads no setting: the key
comes from the file given, or from the URL given explicitly (never from this server's own key), so whoever checks a
dossier chooses whom to trust.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

from core.settings import Settings
from services.dossiers.verification import verify_dossier

KEY_FETCH_SECONDS = 10.0


def add_dossier_commands(commands: Any) -> None:
    """`commands` is the CLI's subparsers object."""
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
    verify.set_defaults(handler=verify_command)


def public_key(args: argparse.Namespace) -> bytes:
    if args.public_key is not None:
        return Path(args.public_key).read_bytes()
    response = httpx.get(args.public_key_url, timeout=KEY_FETCH_SECONDS, follow_redirects=True)
    response.raise_for_status()
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["publicKeyPem"]).encode()
    return response.content


def verify_command(settings: Settings, args: argparse.Namespace) -> None:
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
