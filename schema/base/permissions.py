"""Who may call an operation, by role; the role sets are those of `services.common.policies`. Checks that depend
on a record (own report, own agency) live in services."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from auth.principal import Principal
from core.errors import Forbidden, Unauthenticated
from schema.base.enums import Role
from schema.base.info import Info
from services.common import policies


def require_principal(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise Unauthenticated("Sign in to do this.")
    return principal


class HasRole(BasePermission):
    """Grants the roles in `roles`; an anonymous caller is UNAUTHENTICATED, any other role FORBIDDEN."""

    roles: ClassVar[frozenset[Role]] = frozenset(Role)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = require_principal(info)
        if principal.role not in self.roles:
            raise Forbidden("Your role may not do this.")
        return True


class IsAuthenticated(HasRole):
    roles = frozenset(Role)


class IsCitizen(HasRole):
    roles = policies.CITIZENS


class IsStaff(HasRole):
    roles = policies.STAFF


class IsAgencyStaff(HasRole):
    roles = policies.AGENCY_STAFF


class IsAgencyAdmin(HasRole):
    roles = policies.MANAGERS


class IsAdmin(HasRole):
    roles = policies.ADMINS
