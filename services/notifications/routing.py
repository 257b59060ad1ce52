"""Which Zalo OA answers a report, and to which of the citizen's Zalo user ids (issue 19).

A Zalo user id belongs to the app that issued it, so an answer can only go through an OA of whose app the citizen
has an identity. The rule:
- through the OA the report came in on (`Report.zalo_oa`; reports from before OAs were per agency, and reports from
  other channels, came in on the default OA);
- once the report is handled by an agency with an OA of its own (the road-maintenance board after a transfer),
  through that OA, when the citizen follows it (has an identity in its app);
- otherwise not at all: a SKIPPED notification records why, for the staff to see, rather than an answer from an
  agency that no longer handles the report, or a message Zalo would refuse.
The default OA is stored as the empty key everywhere (identities, reports, agencies, notifications), so the rows of
the single-OA days belong to it and ZALO_DEFAULT_OA can be renamed without touching them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tortoise.backends.base.client import BaseDBAsyncClient

from models.agencies import Agency
from models.enums import IdentityProvider
from models.users import Identity
from services.common.sql import Statement, dialect_of

DEFAULT_OA = ""
ZALO_APPS = "SELECT app FROM identity WHERE user_id = ? AND provider = ? ORDER BY id"


@dataclass(frozen=True)
class Route:
    """The OA to answer through and the user ids there; `skipped` says why nobody can be reached through it."""

    oa: str
    recipients: list[str] = field(default_factory=list)
    skipped: str | None = None


async def origin_oa(connection: BaseDBAsyncClient, reporter_id: uuid.UUID) -> str | None:
    """The OA a Zalo report comes in on: the app of its reporter's Zalo identity (the default one first when a joined
    account has several); None for a reporter without Zalo. A prepared statement: every Zalo submission asks."""
    bound = Statement(ZALO_APPS, (reporter_id, IdentityProvider.ZALO.value)).bound(dialect_of(connection))
    apps = [row["app"] for row in await connection.execute_query_dict(bound.sql, list(bound.params))]
    if not apps:
        return None
    return DEFAULT_OA if DEFAULT_OA in apps else str(apps[0])


async def route(
    connection: BaseDBAsyncClient, reporter_id: uuid.UUID, came_in_on: str | None, handler: Agency
) -> Route | None:
    """None for a citizen without any Zalo identity: there is nobody to reach on Zalo, and nothing to explain."""
    identities = (
        await Identity.filter(user_id=reporter_id, provider=IdentityProvider.ZALO)
        .using_db(connection)
        .order_by("id")
        .values_list("app", "subject")
    )
    if not identities:
        return None
    origin = DEFAULT_OA if came_in_on is None else came_in_on
    oa = origin if handler.zalo_oa is None else handler.zalo_oa
    recipients = [str(subject) for app, subject in identities if app == oa]
    if recipients:
        return Route(oa, recipients)
    if oa != origin:
        reason = (
            f"Not sent: {handler.name} answers through its own Zalo OA ({oa or 'default'}), which the citizen does "
            f"not follow (no identity there); the report came in on the {origin or 'default'} OA."
        )
    else:
        reason = f"Not sent: the citizen has no identity on the {origin or 'default'} OA the report came in on."
    return Route(oa, skipped=reason)
