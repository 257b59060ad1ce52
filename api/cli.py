"""`phananh`: serve, migrate, seed, create-user, export-schema, media-cleanup, relay, outbox, notifications,
send-notifications, rebuild-statistics, custody verify, dossier verify, operations register, graphiql-assets. Same
settings as the server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from api.db import with_db
from api.evidence_commands import add_evidence_commands
from api.logs import configure_logging
from core.settings import Settings, SettingsError
from models.enums import Role

logger = logging.getLogger("phananh.cli")


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings)
    handler: Callable[[Settings, argparse.Namespace], None] = args.handler
    handler(settings, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="phananh", description="Traffic-report API: server and administration.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API with uvicorn on HOST:PORT")
    serve.add_argument(
        "--workers", type=int, default=None, help="uvicorn worker processes (default: WEB_CONCURRENCY, or 1)"
    )
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

    outbox = commands.add_parser("outbox", help="show the latest sign-in codes of the dev SMS outbox (not production)")
    outbox.add_argument("--phone", help="only codes sent to this number")
    outbox.add_argument("--limit", type=int, default=10)
    outbox.set_defaults(handler=_outbox)
    notifications = commands.add_parser(
        "notifications", help="show the latest answers of the dev notification outbox (not production)"
    )
    notifications.add_argument("--to", help="only messages to this Zalo user id")
    notifications.add_argument("--limit", type=int, default=10)
    notifications.set_defaults(handler=_notifications)
    send = commands.add_parser("send-notifications", help="send the queued answers that are due, once, and exit")
    send.add_argument("--limit", type=int, default=500, help="at most this many messages")
    send.set_defaults(handler=_send_notifications)
    cleanup = commands.add_parser("media-cleanup", help="delete uploads never attached to a report (rows and bytes)")
    cleanup.add_argument(
        "--older-than-hours", type=int, default=None, help="age in hours (default: MEDIA_CLEANUP_HOURS, 24)"
    )
    cleanup.set_defaults(handler=_media_cleanup)

    relay = commands.add_parser("relay", help="publish pending live events from the outbox (after an outage)")
    relay.add_argument("--once", action="store_true", help="publish what is pending and exit, instead of polling")
    relay.set_defaults(handler=_relay)

    rebuild = commands.add_parser(
        "rebuild-statistics", help="recompute the statistics rollup from the reports (after a bulk load or a repair)"
    )
    rebuild.add_argument(
        "--check", action="store_true", help="only compare the rollup with the reports; exit 1 when they disagree"
    )
    rebuild.set_defaults(handler=_rebuild_statistics)

    operations = commands.add_parser("operations", help="the trusted operations TRUSTED_OPERATIONS_ONLY accepts")
    operation_commands = operations.add_subparsers(required=True, metavar="ACTION")
    register = operation_commands.add_parser(
        "register", help="register the frontends' documents (.graphql files or Apollo persisted-query manifests)"
    )
    register.add_argument("files", nargs="+", metavar="FILE")
    register.set_defaults(handler=_register_operations)
    graphiql = commands.add_parser(
        "graphiql-assets", help="fetch GraphiQL's pinned assets into var/graphiql, so it works offline (dev only)"
    )
    graphiql.add_argument("--registry", default=None, help="npm registry (default https://registry.npmjs.org)")
    graphiql.set_defaults(handler=_graphiql_assets)
    add_evidence_commands(commands)
    return parser


def _register_operations(settings: Settings, args: argparse.Namespace) -> None:
    """Each document is validated against the schema first: a typo would otherwise be trusted and fail at run time."""
    from pathlib import Path

    from graphql import GraphQLError, parse, validate

    from api.persisted import documents_of, register_documents
    from schema import schema

    documents = []
    for name in args.files:
        try:
            found = documents_of(Path(name))
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            raise SystemExit(1) from None
        for _, text in found:
            try:
                errors = validate(schema._schema, parse(text))
            except GraphQLError as exc:
                errors = [exc]
            if errors:
                print(f"error: {name}: {errors[0].message}", file=sys.stderr)
                raise SystemExit(1)
        documents.extend(found)
    added = register_documents(settings.trusted_operations_file, documents)
    print(
        f"{len(added)} new of {len(documents)} operations registered in {settings.trusted_operations_file}"
        + "".join(f"\n  {sha}" for sha in added)
    )


def _graphiql_assets(settings: Settings, args: argparse.Namespace) -> None:
    import httpx

    from api.routes.graphiql import NPM_REGISTRY, AssetCheckFailed, assets_dir, fetch_assets

    if settings.is_production:
        print("GraphiQL is off in production; nothing to fetch")
        return
    try:
        written = fetch_assets(assets_dir(settings), args.registry or NPM_REGISTRY)
    except AssetCheckFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except httpx.HTTPError as exc:
        print(f"GraphiQL assets not fetched ({type(exc).__name__}); GraphiQL loads them from the CDN", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"GraphiQL assets in {assets_dir(settings)}: {len(written)} fetched, the rest already there")


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    """X-Forwarded-For and X-Forwarded-Proto are read only from the proxies FORWARDED_ALLOW_IPS lists (none by
    default), and the client address is then the last one in the chain that no listed proxy wrote."""
    import uvicorn

    from api.logs import logging_config
    from api.multiprocess import metrics_directory
    from api.tracing import check_tracing

    try:
        if args.workers is not None:
            settings = settings.with_workers(args.workers)
        check_tracing(settings)
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Every worker applies the same logging (uvicorn's log_config) and writes its metrics where /metrics sums them.
    with metrics_directory():
        uvicorn.run(
            "api.main:app",
            host=settings.host,
            port=settings.port,
            workers=settings.web_concurrency,
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=list(settings.forwarded_allow_ips),
            log_config=logging_config(settings),
            log_level=settings.log_level.lower(),
            access_log=False,
            # Named, not left to "auto": without them uvicorn falls back to asyncio and h11 silently, at a third of
            # the throughput.
            loop="uvloop",
            http="httptools",
        )


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    from api.db import migrate
    from models.search_text import MissingExtension

    try:
        asyncio.run(migrate(settings))
    except MissingExtension as exc:  # what an administrator must do, without a traceback; nothing was applied
        print(f"migrate: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def _seed(settings: Settings, args: argparse.Namespace) -> None:
    from services.reference.seed import seed_reference_data

    summary = asyncio.run(with_db(settings, seed_reference_data))
    if summary.changed:
        print(f"reference data: created {summary.created or 'nothing'}, updated {summary.updated or 'nothing'}")
    else:
        print("reference data: already up to date")
    if args.demo:
        _seed_demo(settings, args.seed)


def _seed_demo(settings: Settings, seed: int) -> None:
    from services.demo.dataset import seed_demo

    if settings.is_production:
        print("error: the demo dataset is not for production (APP_ENV=production)", file=sys.stderr)
        raise SystemExit(2)
    summary = asyncio.run(with_db(settings, lambda: seed_demo(seed)))
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
    from core.errors import DomainError
    from services.accounts.users import create_staff_user

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
        print(asyncio.run(with_db(settings, create)))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None


def _media_cleanup(settings: Settings, args: argparse.Namespace) -> None:
    from datetime import timedelta

    from api.storage import open_storage
    from services.media.access import remove_unattached

    hours = settings.media_cleanup_hours if args.older_than_hours is None else args.older_than_hours
    if hours < 0:
        print("error: --older-than-hours must not be negative", file=sys.stderr)
        raise SystemExit(2)

    async def clean() -> int:
        async with open_storage(settings) as storage:
            return await remove_unattached(storage, timedelta(hours=hours))

    removed = asyncio.run(with_db(settings, clean))
    print(f"removed {removed} unattached upload(s) older than {hours} hour(s)")


def _outbox(settings: Settings, args: argparse.Namespace) -> None:
    from api.signin import dev_sms_outbox
    from auth.phones import normalise_phone
    from core.errors import InvalidInput

    outbox = dev_sms_outbox(settings)
    if outbox is None:
        print("error: OTP_SENDER is not outbox: there is no dev outbox to read", file=sys.stderr)
        raise SystemExit(1)
    try:
        phone = normalise_phone(args.phone) if args.phone else None
    except InvalidInput as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from None
    messages = outbox.read(phone, args.limit)
    if not messages:
        print("the outbox is empty")
    for message in messages:
        print(f"{message['sentAt']}  {message['to']}  code {message['code']}  (expires {message['expiresAt']})")


def _relay(settings: Settings, args: argparse.Namespace) -> None:
    from redis.exceptions import RedisError

    from api.events import open_event_bus, relay_forever
    from services.events.outbox import relay_until_empty

    async def relay() -> int:
        async with open_event_bus(settings, listen=not args.once) as bus:
            if not args.once:
                await relay_forever(settings, bus)
            return await relay_until_empty(bus)

    try:
        published = asyncio.run(with_db(settings, relay))
    except (RedisError, OSError) as exc:
        print(f"error: the event bus is unavailable ({exc.__class__.__name__}); events stay pending", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"published {published} pending event(s)")


def _notifications(settings: Settings, args: argparse.Namespace) -> None:
    from api.notifications import dev_notification_outbox

    outbox = dev_notification_outbox(settings)
    if outbox is None:
        print("error: NOTIFIER is not outbox: there is no dev notification outbox to read", file=sys.stderr)
        raise SystemExit(1)
    messages = outbox.read(args.to, args.limit)
    if not messages:
        print("the notification outbox is empty")
    for message in messages:
        print(f"{message['sentAt']}  {message['channel']} {message['to']}  {message['text']}")


def _send_notifications(settings: Settings, args: argparse.Namespace) -> None:
    from api.notifications import channels, notifier, retry_policy
    from services.notifications.dispatch import send_due

    sender = notifier(settings)
    if sender is None:
        print("error: NOTIFIER=disabled: configure a notifier to send the queued answers", file=sys.stderr)
        raise SystemExit(1)
    summary = asyncio.run(
        with_db(
            settings, lambda: send_due(sender, retry_policy(settings), limit=args.limit, channels=channels(settings))
        )
    )
    print(f"sent {summary.sent}, to retry {summary.retried}, given up {summary.failed}")


def _rebuild_statistics(settings: Settings, args: argparse.Namespace) -> None:
    from tortoise import connections
    from tortoise.transactions import in_transaction

    from services.statistics import rollup

    async def check() -> list[dict[str, object]]:
        return await rollup.drift(connections.get("default"))

    async def rebuild() -> int:
        async with in_transaction() as connection:
            return await rollup.rebuild(connection)

    if not args.check:
        print(f"statistics rollup rebuilt: {asyncio.run(with_db(settings, rebuild))} rows")
        return
    disagreements = asyncio.run(with_db(settings, check))
    if disagreements:
        for row in disagreements:
            print(row)
        print("the statistics rollup disagrees with the reports: run `phananh rebuild-statistics`", file=sys.stderr)
        raise SystemExit(1)
    print("the statistics rollup agrees with the reports")
