"""Sign-in mutations: open, rotate and close sessions. None needs a token; each proves identity its own way."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.auth.types import AuthPayload, OtpRequestType
from schema.base.info import Info
from services.accounts import otp, sessions, signin


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
