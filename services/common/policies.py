"""Who may do what by role: the one home of role rules. Services and the schema's permission classes ask here.

- CITIZENS submit reports and hand drafts over from Zalo; they see their own reports.
- AGENCY_STAFF (officers and agency admins) belong to one agency: they decide its reports and see its figures.
- MANAGERS (agency admins and admins) assign and transfer reports and manage officers; an agency admin only those of
  their own agency.
- ADMINS administer the city: agencies, routing rules, categories, staff of every agency, the audit log.
- STAFF is everyone who works in the system (the three staff roles).

Rules that depend on a report (whose it is, which agency has it) live with the reports (`services.reports.scope`).
"""

from __future__ import annotations

import uuid

from auth.principal import Principal
from core.errors import Forbidden
from models.enums import Role

CITIZENS = frozenset({Role.CITIZEN})
AGENCY_STAFF = frozenset({Role.OFFICER, Role.AGENCY_ADMIN})
MANAGERS = frozenset({Role.AGENCY_ADMIN, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
STAFF = AGENCY_STAFF | ADMINS


def require(allowed: bool, message: str) -> None:
    """FORBIDDEN with `message` unless `allowed`."""
    if not allowed:
        raise Forbidden(message)


def is_citizen(principal: Principal) -> bool:
    return principal.role in CITIZENS


def is_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.role in STAFF


def is_agency_staff(principal: Principal) -> bool:
    """Officers and agency admins: they decide their agency's reports; city admins oversee but do not decide."""
    return principal.role in AGENCY_STAFF


def is_admin(principal: Principal | None) -> bool:
    return principal is not None and principal.role in ADMINS


def may_assign(principal: Principal) -> bool:
    return principal.role in MANAGERS


def require_admin(
    principal: Principal, message: str = "Only admins administer agencies, routing rules and categories."
) -> None:
    require(is_admin(principal), message)


def may_manage_agency(principal: Principal, agency_id: uuid.UUID) -> bool:
    """An agency's own AGENCY_ADMIN, and admins: who see its staff, workload and overdue reports."""
    return is_admin(principal) or (principal.role is Role.AGENCY_ADMIN and principal.agency_id == agency_id)


def require_agency_manager(principal: Principal, agency_id: uuid.UUID) -> None:
    require(may_manage_agency(principal, agency_id), "Only this agency's admin and city admins see this.")


def require_staff_manager(actor: Principal, agency_id: uuid.UUID | None, role: Role = Role.OFFICER) -> None:
    """Admins manage every staff account; an agency admin the officers of their own agency, and nothing else (not
    other agencies, not promotions)."""
    if is_admin(actor):
        return
    require(actor.role is Role.AGENCY_ADMIN, "Only administrators manage staff.")
    require(role is Role.OFFICER, "An agency admin manages officers only.")
    require(agency_id is not None and agency_id == actor.agency_id, "You manage the staff of your own agency only.")
