"""What a live console may hear. Events carry ids only; every event is re-read through `scope.visible_q` for
the subscriber, so a stream never shows what the same person could not fetch with `report(id)`, even when a report
is transferred away or a role changed since the event was published.

Consoles that would see the same thing share one stream (`api.live_groups`): the stream runs as their `audience`, a
principal that keeps only what visibility and field rules read (`scope.visible_q`, the `may_see_*` rules, the
permission classes): the role and the agency for staff and admins, and for a citizen also who they are. Its user id
is the nil UUID for staff and admins, so nothing that depends on one person can leak into what a group hears. Each
member's own account is still checked before pushing, for a whole group in one query (`signed_out`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable

from auth.principal import Principal
from core.errors import InvalidInput
from core.ids import parse_uuid
from models.outbox import OutboxKind
from models.reports import Report
from models.users import User
from services.common import policies
from services.events import EventBus, Subscription
from services.reports.scope import get_visible, visible_q

NEW_REPORT_KINDS = frozenset({OutboxKind.SUBMITTED.value, OutboxKind.TRANSFERRED.value})
CHANGE_KINDS = frozenset({OutboxKind.UPDATED.value, OutboxKind.TRANSFERRED.value})
ACCOUNT_RECHECK_SECONDS = 30.0
NOBODY = uuid.UUID(int=0)
CHECK_CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


def audience(principal: Principal) -> Principal:
    """Whom a live stream runs as, for every console of `principal`'s audience (see the module docstring)."""
    if policies.is_citizen(principal):
        return principal
    return Principal(user_id=NOBODY, role=principal.role, agency_id=principal.agency_id)


async def signed_out(audience_of_group: Principal, user_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these accounts changed since their sockets signed in: no longer active, or no longer of the group's
    role and agency. A socket keeps the account it signed in with, so before pushing, a group checks its members (at
    most every `ACCOUNT_RECHECK_SECONDS`), as every HTTP request checks its caller."""
    wanted = list(dict.fromkeys(user_ids))
    still: set[uuid.UUID] = set()
    for start in range(0, len(wanted), CHECK_CHUNK):
        rows = await User.filter(
            id__in=wanted[start : start + CHECK_CHUNK],
            is_active=True,
            role=audience_of_group.role,
            agency_id=audience_of_group.agency_id,
        ).values_list("id", flat=True)
        still.update(uuid.UUID(str(row)) for row in rows)
    return set(wanted) - still


def report_submissions(bus: EventBus, principal: Principal, agency_id: str | None) -> AsyncIterator[Report]:
    """New reports routed to an agency (submitted, or transferred in). Officers and agency admins hear their own
    agency whatever `agency_id` says; admins the one they name, or all. Checked and registered before returning, so
    a refusal comes before any event and no event published after this call is missed."""
    policies.require(policies.is_staff(principal), "Only agency staff follow new reports.")
    agency: uuid.UUID | None = principal.agency_id
    if policies.is_admin(principal):
        agency = None if agency_id is None else parse_uuid(agency_id)
        if agency_id is not None and agency is None:
            raise InvalidInput("This is not an agency id.", field="agencyId")
    return _stream(bus.subscribe(), principal, NEW_REPORT_KINDS, agency=agency)


async def report_changes(bus: EventBus, principal: Principal, report_id: str) -> AsyncIterator[Report]:
    """Every change of one report, for those who may see it (its author, its agency's staff, admins); anybody else
    gets NOT_FOUND, as for a report that does not exist."""
    subscription = bus.subscribe()
    try:
        report = await get_visible(principal, report_id)
    except BaseException:
        subscription.close()
        raise
    return _stream(subscription, principal, CHANGE_KINDS, report_id=report.id)


async def _stream(
    subscription: Subscription,
    principal: Principal,
    kinds: frozenset[str],
    *,
    agency: uuid.UUID | None = None,
    report_id: uuid.UUID | None = None,
) -> AsyncIterator[Report]:
    try:
        async for event in subscription:
            if event.kind not in kinds:
                continue
            if (agency is not None and event.agency_id != agency) or (
                report_id is not None and event.report_id != report_id
            ):
                continue
            report = await Report.filter(visible_q(principal), id=event.report_id).first()
            if report is not None:
                yield report
    finally:
        subscription.close()
