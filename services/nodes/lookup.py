"""Any record by its id alone, for Relay's `node(id:)` and `nodes(ids:)`, under the visibility of every other read.

Ids are UUIDs unique across every kind of record, so a record is found by asking each kind in turn for the ids not
yet found: at most one statement per kind whatever the number of ids, and each statement carries the same rule as
the read it stands in for, so an id the caller may not see is simply not found, exactly like an unknown one:
- agencies are public reference data (`agency(id:)`);
- reports through `visible_q` (`report(id:)`), their decisions through their report's `visible_q`
  (`Report.decisions`), media through `visible_media_q` (`media(id:)`);
- users: yourself (`me`), and the staff of an agency for whoever may list it (`staff`, `Agency.staff`: the agency's
  AGENCY_ADMIN, and admins, who see every account).
Anonymous callers find agencies only; every other read needs a signed-in caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise.expressions import Q

from auth.principal import Principal
from core.ids import parse_uuid
from models.agencies import Agency
from models.decisions import Decision
from models.enums import Role
from models.media import Media
from models.reports import Report
from models.users import User
from services.common import policies
from services.media.access import visible_media_q
from services.reports.scope import visible_q

NodeRecord = Agency | Report | Decision | Media | User


def visible_users_q(principal: Principal) -> Q:
    """Yourself; admins everyone; an agency admin the staff of their own agency (what `staff` lists them)."""
    if policies.is_admin(principal):
        return Q()
    mine = Q(id=principal.user_id)
    if principal.role is Role.AGENCY_ADMIN and principal.agency_id is not None:
        return mine | Q(agency_id=principal.agency_id)
    return mine


async def find_nodes(principal: Principal | None, ids: Sequence[str]) -> list[NodeRecord | None]:
    """The records in the order of `ids`; malformed, unknown and hidden ids are None."""
    wanted = {parsed for raw in ids if (parsed := parse_uuid(raw)) is not None}
    found: dict[uuid.UUID, NodeRecord] = {}
    if wanted:
        found.update((agency.id, agency) for agency in await Agency.filter(id__in=list(wanted)))
    if principal is not None:
        kinds: list[tuple[type[Report | Decision | Media | User], Q]] = [
            (Report, visible_q(principal)),
            (Media, visible_media_q(principal)),
            (Decision, visible_q(principal, "report__")),
            (User, visible_users_q(principal)),
        ]
        for model, visible in kinds:
            missing = list(wanted - found.keys())
            if not missing:
                break
            found.update((row.id, row) for row in await model.filter(visible, id__in=missing))
    return [found.get(parsed) if (parsed := parse_uuid(raw)) is not None else None for raw in ids]
