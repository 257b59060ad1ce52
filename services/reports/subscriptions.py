"""What a live console may hear. Events carry ids only; every event is re-read through `scope.visible_q` for
the subscriber, so a stream never shows what the same person could not fetch with `report(id)`, even when a report
is transferred away or a role changed since the event was published."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import AsyncIterator

from auth.principal import Principal
from core.errors import InvalidInput, Unauthenticated
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
    checked_at = -math.inf
    try:
        async for event in subscription:
            if event.kind not in kinds:
                continue
            if (agency is not None and event.agency_id != agency) or (
                report_id is not None and event.report_id != report_id
            ):
                continue
            report = await Report.filter(visible_q(principal), id=event.report_id).first()
            if report is None:
                continue
            if time.monotonic() - checked_at > ACCOUNT_RECHECK_SECONDS:
                await _still_signed_in(principal)
                checked_at = time.monotonic()
            yield report
    finally:
        subscription.close()


async def _still_signed_in(principal: Principal) -> None:
    """A socket keeps the account it signed in with; before pushing, make sure that account is still active with the
    same role and agency (at most every `ACCOUNT_RECHECK_SECONDS`), as every HTTP request does."""
    same = User.filter(
        id=principal.user_id, is_active=True, role=principal.role, agency_id=principal.agency_id
    ).exists()
    if not await same:
        raise Unauthenticated("This account changed or can no longer sign in; sign in again.", reason="inactive")
