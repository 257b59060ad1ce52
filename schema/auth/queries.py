from __future__ import annotations

import strawberry

from schema.auth.types import UserType
from schema.base.info import Info
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
