"""Staff management: admins manage all staff, agency admins the officers of their own agency (checked in services)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.auth.inputs import CreateStaffUserInput
from schema.auth.types import UserType
from schema.base.info import Info
from schema.base.permissions import IsAgencyAdmin, require_principal
from services.accounts import users


@strawberry.type
class Query:
    @strawberry.field(description="The staff of one agency, by username.", permission_classes=[IsAgencyAdmin])
    async def staff(
        self, info: Info, agency_id: Annotated[strawberry.ID, strawberry.argument(description="The agency.")]
    ) -> list[UserType]:
        return [UserType.from_model(u) for u in await users.list_staff(require_principal(info), agency_id)]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a staff or admin account.", permission_classes=[IsAgencyAdmin])
    async def create_staff_user(
        self, info: Info, input: Annotated[CreateStaffUserInput, strawberry.argument(description="The new account.")]
    ) -> UserType:
        user = await users.create_staff_user_as(
            require_principal(info),
            username=input.username,
            password=input.password,
            role=input.role,
            agency_id=input.agency_id,
            full_name=input.full_name,
        )
        return UserType.from_model(user)

    @strawberry.mutation(
        description="Deactivate (sessions end at once) or reactivate an account.", permission_classes=[IsAgencyAdmin]
    )
    async def set_user_active(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The account.")],
        active: Annotated[bool, strawberry.argument(description="False to deactivate, true to reactivate.")],
    ) -> UserType:
        return UserType.from_model(await users.set_user_active(require_principal(info), user_id, active))
