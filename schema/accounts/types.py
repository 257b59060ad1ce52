from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models.users import AccountJoin, User
from schema.agencies.types import AgencyType
from schema.base.enums import Role
from schema.base.info import Info
from schema.base.node import NodeInterface
from services.accounts.otp import OtpRequest
from services.accounts.sessions import Session


@strawberry.type(name="User", description="A person who uses the system.")
class UserType(NodeInterface):
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    role: Role = strawberry.field(description="What this user may do.")
    full_name: str = strawberry.field(description="Name, as given; may be empty for citizens.")
    username: str | None = strawberry.field(description="Sign-in name of staff and admins; null for citizens.")
    active: bool = strawberry.field(description="False once an administrator has deactivated the account.")
    agency_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The agency of an officer or agency admin; null for citizens and admins.")
    async def agency(self, info: Info) -> AgencyType | None:
        if self.agency_id is None:
            return None
        agency = await info.context.loaders.agency_by_id.load(self.agency_id)
        return None if agency is None else AgencyType.from_model(agency)

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return cls(
            id=strawberry.ID(str(user.id)),
            role=user.role,
            full_name=user.full_name,
            username=user.username,
            active=user.is_active,
            agency_id=user.agency_id,
        )


@strawberry.type(name="AuthPayload", description="A new session: keep both tokens; send the access token.")
class AuthPayload:
    access_token: str = strawberry.field(description="JWT for `Authorization: Bearer`; short-lived.")
    refresh_token: str = strawberry.field(
        description="Opaque; trade it once with `refreshSession` for a new pair. Reusing a spent one ends the session."
    )
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    user: UserType = strawberry.field(description="Who signed in.")

    @classmethod
    def from_session(cls, session: Session) -> AuthPayload:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            expires_in=session.expires_in,
            user=UserType.from_model(session.user),
        )


@strawberry.type(name="OtpRequest", description="A sign-in code is on its way by SMS.")
class OtpRequestType:
    phone: str = strawberry.field(description="The phone number in canonical form (+84...), as the code was sent.")
    expires_at: datetime = strawberry.field(description="When the code stops working.")
    resend_after: datetime = strawberry.field(description="The earliest time another code may be requested.")

    @classmethod
    def from_request(cls, request: OtpRequest) -> OtpRequestType:
        return cls(phone=request.phone, expires_at=request.expires_at, resend_after=request.resend_after)


@strawberry.type(
    name="AccountJoin",
    description="Two citizen accounts of one person made one: the city-app account joined into the Zalo account.",
)
class AccountJoinType:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; an administrator splits a join by it.")
    into_account_id: strawberry.ID = strawberry.field(
        description="The Zalo account, which keeps everything; both apps act for it (`me.id`) from now on."
    )
    absorbed_account_id: strawberry.ID = strawberry.field(
        description="The city-app account, closed while joined; its sessions now act for the kept account."
    )
    joined_at: datetime = strawberry.field(description="When the join was confirmed.")
    split_at: datetime | None = strawberry.field(description="When an administrator split it again; null while joined.")

    @classmethod
    def from_model(cls, join: AccountJoin) -> AccountJoinType:
        return cls(
            id=strawberry.ID(str(join.id)),
            into_account_id=strawberry.ID(str(join.into_id)),
            absorbed_account_id=strawberry.ID(str(join.absorbed_id)),
            joined_at=join.joined_at,
            split_at=join.split_at,
        )
