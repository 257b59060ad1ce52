"""Joining two citizen accounts that turned out to be one person on two channels (Zalo and the city app).

A join is only ever made by `services.handoff.redeem_handoff`, where both sides proved themselves: the Zalo side by
creating the handoff while signed in, the city-app side by redeeming it while signed in. The kept account takes
over everything the other one owned (sign-in identities, reports, media, sessions, pending handoffs and
notifications), so every app, every scope rule and every later feature sees one citizen without knowing about links.
The absorbed account is deactivated and points at the kept one; `auth.authentication` follows that pointer, so access
tokens already issued to it keep working, now acting for the kept account.
"""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from core.errors import Conflict
from models.enums import Role
from models.events import ReportEvent
from models.handoff import Handoff
from models.media import Media
from models.notifications import Notification
from models.outbox import OutboxEvent
from models.reports import IdempotencyKey, Report
from models.users import Identity, RefreshToken, User


async def join_accounts(connection: BaseDBAsyncClient, keep_id: uuid.UUID, absorb_id: uuid.UUID) -> None:
    """Move everything of `absorb_id` to `keep_id`, inside the caller's transaction. Both rows are locked first (in a
    fixed order, so two joins cannot deadlock) and must still be active, unmerged citizens."""
    users = {
        user.id: user
        for user in await User.filter(id__in=sorted([keep_id, absorb_id]))
        .select_for_update()
        .order_by("id")
        .using_db(connection)
    }
    keep, absorb = users.get(keep_id), users.get(absorb_id)
    if keep is None or absorb is None or not (_joinable(keep) and _joinable(absorb)):
        raise Conflict("One of the two accounts can no longer be linked.", reason="account_unavailable")
    await _move_owned_rows(connection, keep_id, absorb_id)
    changes: dict[str, object] = {}
    if keep.phone is None and absorb.phone is not None:
        changes["phone"] = absorb.phone
    if not keep.full_name and absorb.full_name:
        changes["full_name"] = absorb.full_name
    if changes:
        await User.filter(id=keep_id).using_db(connection).update(**changes)
    await User.filter(merged_into_id=absorb_id).using_db(connection).update(merged_into_id=keep_id)
    await User.filter(id=absorb_id).using_db(connection).update(merged_into_id=keep_id, is_active=False)


def _joinable(user: User) -> bool:
    return user.role is Role.CITIZEN and user.is_active and user.merged_into_id is None


async def _move_owned_rows(connection: BaseDBAsyncClient, keep_id: uuid.UUID, absorb_id: uuid.UUID) -> None:
    await Identity.filter(user_id=absorb_id).using_db(connection).update(user_id=keep_id)
    await Report.filter(reporter_id=absorb_id).using_db(connection).update(reporter_id=keep_id)
    await Media.filter(owner_id=absorb_id).using_db(connection).update(owner_id=keep_id)
    await ReportEvent.filter(actor_id=absorb_id).using_db(connection).update(actor_id=keep_id)
    await RefreshToken.filter(user_id=absorb_id).using_db(connection).update(user_id=keep_id)
    await Handoff.filter(creator_id=absorb_id).using_db(connection).update(creator_id=keep_id)
    await Notification.filter(user_id=absorb_id).using_db(connection).update(user_id=keep_id)
    await OutboxEvent.filter(reporter_id=absorb_id).using_db(connection).update(reporter_id=keep_id)
    # A retry key both accounts happened to use stays with the absorbed one: the kept account's report wins.
    kept_keys = await IdempotencyKey.filter(user_id=keep_id).using_db(connection).values_list("key", flat=True)
    await (
        IdempotencyKey.filter(user_id=absorb_id)
        .exclude(key__in=list(kept_keys))
        .using_db(connection)
        .update(user_id=keep_id)
    )
