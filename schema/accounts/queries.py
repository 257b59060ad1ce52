"""The signed-in user, and the staff of an agency (admins: any; agency admins: their own, checked in services)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.types import UserType
from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAgencyAdmin, require_principal
from services.accounts import users


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when the request carries no token.")
    async def me(self, info: Info) -> UserType | None:
        principal = info.context.principal
        if principal is None:
            return None
        user = await users.get_user(principal.user_id)
        return None if user is None else UserType.from_model(user)

    @strawberry.field(description="The staff of one agency, by username.", permission_classes=[IsAgencyAdmin])
    async def staff(
        self, info: Info, agency_id: Annotated[strawberry.ID, bounds.argument("The agency.", bounds.ID)]
    ) -> list[UserType]:
        return [UserType.from_model(u) for u in await users.list_staff(require_principal(info), agency_id)]
