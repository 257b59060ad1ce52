"""Sign-in (open, rotate and close sessions: none needs a token, each proves identity its own way) and staff
accounts (admins manage all staff, agency admins the officers of their own agency: checked in services)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.inputs import CreateStaffUserInput
from schema.accounts.types import AuthPayload, OtpRequestType, UserType
from schema.base.info import Info
from schema.base.permissions import IsAgencyAdmin, require_principal
from services.accounts import otp, sessions, signin, users


def client_address(info: Info) -> str:
    client = info.context.request.client
    return client.host if client else ""


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in from the Zalo mini-app with the Zalo access token it holds.")
    async def login_with_zalo(
        self,
        info: Info,
        zalo_access_token: Annotated[str, strawberry.argument(description="The user's Zalo access token.")],
    ) -> AuthPayload:
        ctx = info.context
        session = await signin.login_with_provider(ctx.sign_in_rules, ctx.tokens, ctx.providers.zalo, zalo_access_token)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="Send a 6-digit sign-in code by SMS. RATE_LIMITED carries retryAfterSeconds.")
    async def request_otp(
        self,
        info: Info,
        phone: Annotated[str, strawberry.argument(description="A Vietnamese mobile number, any usual form.")],
    ) -> OtpRequestType:
        ctx = info.context
        request = await otp.request_otp(ctx.sign_in_rules, ctx.providers.otp_sender, phone, client_address(info))
        return OtpRequestType.from_request(request)

    @strawberry.mutation(description="Sign in with the code sent by `requestOtp`; 5 tries per code.")
    async def login_with_otp(
        self,
        info: Info,
        phone: Annotated[str, strawberry.argument(description="The number the code was sent to.")],
        code: Annotated[str, strawberry.argument(description="The 6-digit code.")],
    ) -> AuthPayload:
        session = await signin.login_with_otp(info.context.sign_in_rules, info.context.tokens, phone, code)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="Sign in as staff or admin. Repeated failures lock the account for a while.")
    async def login_with_password(
        self,
        info: Info,
        username: Annotated[str, strawberry.argument(description="Sign-in name.")],
        password: Annotated[str, strawberry.argument(description="Password.")],
    ) -> AuthPayload:
        session = await signin.login_with_password(info.context.sign_in_rules, info.context.tokens, username, password)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="Trade a refresh token for a new pair; a reused refresh token ends the session.")
    async def refresh_session(
        self, info: Info, refresh_token: Annotated[str, strawberry.argument(description="The latest refresh token.")]
    ) -> AuthPayload:
        session = await sessions.refresh_session(info.context.sign_in_rules, info.context.tokens, refresh_token)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="End the session this refresh token belongs to; false if it is unknown.")
    async def logout(
        self, refresh_token: Annotated[str, strawberry.argument(description="Any refresh token of the session.")]
    ) -> bool:
        return await sessions.logout(refresh_token)

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
