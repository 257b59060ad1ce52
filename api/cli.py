"""`phananh`: serve, migrate, seed, create-user, export-schema, media-cleanup. Same settings as the server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from api.settings import Settings, SettingsError
from models.enums import Role

logger = logging.getLogger("phananh.cli")
T = TypeVar("T")


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    handler: Callable[[Settings, argparse.Namespace], None] = args.handler
    handler(settings, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="phananh", description="Traffic-report API: server and administration.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API with uvicorn on HOST:PORT")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.set_defaults(handler=_serve)

    commands.add_parser("migrate", help="apply pending database migrations").set_defaults(handler=_migrate)
    seed = commands.add_parser("seed", help="load reference data (idempotent)")
    seed.add_argument(
        "--demo",
        action="store_true",
        help="also load the demo dataset once: 16,000 reports since 2023 (not production)",
    )
    seed.add_argument("--seed", type=int, default=2023, help="random seed of the demo dataset (default 2023)")
    seed.set_defaults(handler=_seed)
    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(handler=_export_schema)

    create_user = commands.add_parser("create-user", help="create a staff or admin account")
    create_user.add_argument("--username", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--role", required=True, choices=[r.value for r in Role])
    create_user.add_argument("--agency", help="agency code, for OFFICER and AGENCY_ADMIN")
    create_user.add_argument("--full-name", default="")
    create_user.set_defaults(handler=_create_user)

    cleanup = commands.add_parser("media-cleanup", help="delete uploads never attached to a report (rows and bytes)")
    cleanup.add_argument(
        "--older-than-hours", type=int, default=None, help="age in hours (default: MEDIA_CLEANUP_HOURS, 24)"
    )
    cleanup.set_defaults(handler=_media_cleanup)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        "api.main:app",
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
    )


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    from api.db import migrate

    asyncio.run(migrate(settings))


def _seed(settings: Settings, args: argparse.Namespace) -> None:
    from services.seed import seed_reference_data

    summary = asyncio.run(_with_db(settings, seed_reference_data))
    if summary.changed:
        print(f"reference data: created {summary.created or 'nothing'}, updated {summary.updated or 'nothing'}")
    else:
        print("reference data: already up to date")
    if args.demo:
        _seed_demo(settings, args.seed)


def _seed_demo(settings: Settings, seed: int) -> None:
    from services.demo import seed_demo

    if settings.is_production:
        print("error: the demo dataset is not for production (APP_ENV=production)", file=sys.stderr)
        raise SystemExit(2)
    summary = asyncio.run(_with_db(settings, lambda: seed_demo(seed)))
    if not summary.created:
        print(f"demo data: already present ({summary.reports} reports), left as it is")
        return
    print(
        f"demo data (seed {seed}): {summary.reports} reports, {summary.accepted} accepted, {summary.penalized} "
        f"penalized, {summary.fines_vnd:,} VND in fines, {summary.impounded} vehicles impounded, {summary.users} "
        f"demo users"
    )


def _export_schema(settings: Settings, args: argparse.Namespace) -> None:
    from schema import schema

    sys.stdout.write(schema.as_str() + "\n")


def _create_user(settings: Settings, args: argparse.Namespace) -> None:
    from services.errors import DomainError
    from services.users import create_staff_user

    async def create() -> str:
        user = await create_staff_user(
            username=args.username,
            password=args.password,
            role=Role(args.role),
            agency_code=args.agency,
            full_name=args.full_name,
        )
        return f"created {user.role.value} {user.username} ({user.id})"

    try:
        print(asyncio.run(_with_db(settings, create)))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None


def _media_cleanup(settings: Settings, args: argparse.Namespace) -> None:
    from datetime import timedelta

    from api.storage import open_storage
    from services.media_access import remove_unattached

    hours = settings.media_cleanup_hours if args.older_than_hours is None else args.older_than_hours
    if hours < 0:
        print("error: --older-than-hours must not be negative", file=sys.stderr)
        raise SystemExit(2)

    async def clean() -> int:
        async with open_storage(settings) as storage:
            return await remove_unattached(storage, timedelta(hours=hours))

    removed = asyncio.run(_with_db(settings, clean))
    print(f"removed {removed} unattached upload(s) older than {hours} hour(s)")


async def _with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    from api.db import close_db, init_db

    await init_db(settings)
    try:
        return await work()
    finally:
        await close_db()
