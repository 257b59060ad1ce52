"""Joining two citizen accounts that turned out to be one person on two channels (Zalo and the city app), and
splitting them apart again.

A join is made only by `services.handoff.joins.confirm_account_join`, never as a side effect: the Zalo side offered
it when making the link, proving a phone number by a sign-in code; the city-app side holds that same number as its
verified sign-in phone and confirmed the join, naming the Zalo account. The kept account (the Zalo side) takes over
everything the other owned (sign-in identities, reports, media, sessions, pending handoffs and notifications), so
every app and every scope rule sees one citizen without knowing about joins. The absorbed account is deactivated and
points at the kept one; `auth.authentication` follows that pointer, so its access tokens act for the kept account.

Every join records the ids of the rows it moved and the values it copied, and is written to the audit log. An
administrator can split it (`split_account_join`): the rows move back, the absorbed account is active again and its
identities (its phone) sign in to it again, and both accounts' sessions end so that each person signs in afresh.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from auth.principal import Principal
from core import clock
from core.errors import Conflict, NotFound
from core.ids import parse_uuid
from models.enums import Role
from models.events import ReportEvent
from models.handoff import Handoff
from models.media import Media
from models.notifications import Notification
from models.outbox import OutboxEvent
from models.reports import IdempotencyKey, Report
from models.users import AccountJoin, Identity, RefreshToken, User
from services.audit.log import record
from services.common import policies

# What a citizen owns, by the column that names the owner. `User.merged_into` moves too: accounts joined into the
# absorbed one earlier follow it into the kept one (and back on a split).
OWNED: dict[str, tuple[type[Model], str]] = {
    "identity": (Identity, "user_id"),
    "report": (Report, "reporter_id"),
    "media": (Media, "owner_id"),
    "report_event": (ReportEvent, "actor_id"),
    "handoff": (Handoff, "creator_id"),
    "notification": (Notification, "user_id"),
    "outbox_event": (OutboxEvent, "reporter_id"),
    "merged_user": (User, "merged_into_id"),
    "idempotency_key": (IdempotencyKey, "user_id"),
}
COPIED_FIELDS = ("phone", "full_name")
JOINED = "ACCOUNTS_JOINED"
SPLIT = "ACCOUNT_JOIN_SPLIT"
ENTITY = "account_join"


async def join_accounts(
    connection: BaseDBAsyncClient,
    actor: Principal,
    keep_id: uuid.UUID,
    absorb_id: uuid.UUID,
    *,
    phone: str,
    handoff_id: uuid.UUID | None,
    now: datetime,
) -> AccountJoin:
    """Move everything of `absorb_id` to `keep_id` inside the caller's transaction, and record what moved. Both rows
    are locked first (in a fixed order, so two joins cannot deadlock) and must still be active, unmerged citizens."""
    keep, absorb = await _locked(connection, keep_id, absorb_id)
    if keep is None or absorb is None or not (_joinable(keep) and _joinable(absorb)):
        raise Conflict("One of the two accounts can no longer be joined.", reason="account_unavailable")
    moved = await _move_owned_rows(connection, keep_id, absorb_id)
    copied = {
        name: getattr(absorb, name) for name in COPIED_FIELDS if not getattr(keep, name) and getattr(absorb, name)
    }
    if copied:
        await User.filter(id=keep_id).using_db(connection).update(**copied)
    await User.filter(id=absorb_id).using_db(connection).update(merged_into_id=keep_id, is_active=False)
    join = await AccountJoin.create(
        into_id=keep_id,
        absorbed_id=absorb_id,
        handoff_id=handoff_id,
        phone=phone,
        moved=moved,
        copied=copied,
        joined_at=now,
        using_db=connection,
    )
    await record(connection, actor, JOINED, ENTITY, str(join.id), None, _summary(join))
    return join


async def split_account_join(actor: Principal, join_id: str, now: datetime | None = None) -> AccountJoin:
    """ADMIN: undo a join. Only the rows the join moved go back (what the joined account made afterwards stays with
    the kept account); values it copied onto the kept account are cleared if still unchanged. Joins are split newest
    first: a kept account that was itself joined later must be split out of that join before."""
    policies.require_admin(actor, "Only administrators split joined accounts.")
    parsed = parse_uuid(join_id)
    now = now or clock.now()
    async with in_transaction() as connection:
        join = None
        if parsed is not None:
            join = await AccountJoin.filter(id=parsed).select_for_update().using_db(connection).first()
        if join is None:
            raise NotFound("No such account join.", field="joinId")
        if join.split_at is not None:
            raise Conflict("These accounts were already split.", field="joinId", reason="already_split")
        keep, absorb = await _locked(connection, join.into_id, join.absorbed_id)
        # Joins keep their users: the foreign keys restrict deleting them.
        assert keep is not None
        assert absorb is not None
        if keep.merged_into_id is not None:
            raise Conflict(
                "The kept account was joined into another one since; split that join first.",
                field="joinId",
                reason="joined_later",
            )
        before = _summary(join)
        for table, ids in join.moved.items():
            model, column = OWNED[table]
            await model.filter(id__in=ids, **{column: keep.id}).using_db(connection).update(**{column: absorb.id})
        restored = {name: _blank(name) for name, value in join.copied.items() if getattr(keep, name) == value}
        if restored:
            await User.filter(id=keep.id).using_db(connection).update(**restored)
        await User.filter(id=absorb.id).using_db(connection).update(merged_into_id=None, is_active=True)
        await (
            RefreshToken.filter(user_id__in=[keep.id, absorb.id], revoked_at__isnull=True)
            .using_db(connection)
            .update(revoked_at=now)
        )
        join.split_at, join.split_by_id = now, actor.user_id
        await join.save(using_db=connection, update_fields=["split_at", "split_by_id"])
        await record(connection, actor, SPLIT, ENTITY, str(join.id), before, _summary(join))
    return join


async def _locked(
    connection: BaseDBAsyncClient, first: uuid.UUID, second: uuid.UUID
) -> tuple[User | None, User | None]:
    users = {
        user.id: user
        for user in await User.filter(id__in=sorted([first, second]))
        .select_for_update()
        .order_by("id")
        .using_db(connection)
    }
    return users.get(first), users.get(second)


def _joinable(user: User) -> bool:
    return user.role is Role.CITIZEN and user.is_active and user.merged_into_id is None


def _blank(name: str) -> str | None:
    return None if name == "phone" else ""


async def _move_owned_rows(
    connection: BaseDBAsyncClient, keep_id: uuid.UUID, absorb_id: uuid.UUID
) -> dict[str, list[Any]]:
    """The ids moved, per table. Sessions move too but are not recorded: a split ends every session of both."""
    # A retry key both accounts happened to use stays with the absorbed one: the kept account's report wins.
    kept_keys = await IdempotencyKey.filter(user_id=keep_id).using_db(connection).values_list("key", flat=True)
    moved: dict[str, list[Any]] = {}
    for table, (model, column) in OWNED.items():
        query = model.filter(**{column: absorb_id})
        if model is IdempotencyKey:
            query = query.exclude(key__in=list(kept_keys))
        ids = [_json_id(value) for value in await query.using_db(connection).values_list("id", flat=True)]
        if ids:
            await model.filter(id__in=ids).using_db(connection).update(**{column: keep_id})
            moved[table] = ids
    await RefreshToken.filter(user_id=absorb_id).using_db(connection).update(user_id=keep_id)
    return moved


def _json_id(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _summary(join: AccountJoin) -> dict[str, Any]:
    """What the audit log shows of a join: both accounts, the link, the phone both proved, and how much moved."""
    return {
        "into": str(join.into_id),
        "absorbed": str(join.absorbed_id),
        "handoff": None if join.handoff_id is None else str(join.handoff_id),
        "phone": join.phone,
        "moved": {table: len(ids) for table, ids in join.moved.items()},
        "splitAt": None if join.split_at is None else join.split_at.isoformat(),
    }
