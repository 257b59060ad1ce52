"""What an agency's citizens are told on Zalo: each kind of notification (accepted for verification, transferred,
decided) can be switched off by the agency's own admin or a city admin (`services.notifications.queue` reads the
switches when it queues). A switch changes what is queued from then on, never what is already queued."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from auth.principal import Principal
from core.errors import InvalidInput, NotFound
from core.ids import parse_uuid
from models.agencies import Agency
from services.audit import log as audit
from services.common import policies


@dataclass(frozen=True)
class NotificationSwitches:
    """None leaves a switch as it is."""

    accepted: bool | None = None
    transferred: bool | None = None
    decided: bool | None = None


async def set_notifications(principal: Principal, agency_id: str, switches: NotificationSwitches) -> Agency:
    parsed = parse_uuid(agency_id)
    if parsed is None or not await Agency.exists(id=parsed):
        raise NotFound("There is no such agency.", field="agencyId")
    policies.require_agency_manager(principal, parsed)
    changes = {
        f"notify_{name}": value
        for name, value in (
            ("accepted", switches.accepted),
            ("transferred", switches.transferred),
            ("decided", switches.decided),
        )
        if value is not None
    }
    if not changes:
        raise InvalidInput("Send at least one of accepted, transferred, decided.", field="input")
    async with in_transaction() as connection:
        agency = await Agency.filter(id=parsed).select_for_update().using_db(connection).get()
        before = _switches(agency)
        agency.update_from_dict(changes)
        await agency.save(using_db=connection, update_fields=list(changes))
        await audit.record(
            connection, principal, "AGENCY_NOTIFICATIONS", "agency", str(agency.id), before, _switches(agency)
        )
    return agency


def _switches(agency: Agency) -> dict[str, bool]:
    return {
        "accepted": agency.notify_accepted,
        "transferred": agency.notify_transferred,
        "decided": agency.notify_decided,
    }
