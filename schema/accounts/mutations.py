"""Sign-in (open, rotate and close sessions: none needs a token, each proves identity its own way) and staff
accounts (admins manage all staff, agency admins the officers of their own agency: checked in services)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.accounts.inputs import CreateStaffUserInput
from schema.accounts.types import AccountJoinType, AuthPayload, OtpRequestType, UserType
from schema.base import bounds
from schema.base.info import Info
from schema.base.permissions import IsAdmin, IsAgencyAdmin, require_principal
from services.accounts import joining, otp, sessions, signin, users


def client_address(info: Info) -> str:
    """The peer's address, or the one a proxy listed in FORWARDED_ALLOW_IPS forwarded (uvicorn rewrites it)."""
    client = info.context.request.client
    return client.host if client else ""


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Sign in from a Zalo mini-app with the Zalo access token it holds. A Zalo user id belongs to one app, so "
            "each app (`app`) has its own citizen accounts. BAD_USER_INPUT (field `app`, reason `unknown_app`) for "
            "an app this deployment does not know."
        )
    )
    async def login_with_zalo(
        self,
        info: Info,
        zalo_access_token: Annotated[str, bounds.argument("The user's Zalo access token.", bounds.PROVIDER_TOKEN)],
        app: Annotated[
            str | None,
            bounds.argument(
                "The key of the mini-app/OA the token comes from (e.g. `maintenance`); null: the default one.",
                bounds.ZALO_OA,
            ),
        ] = None,
    ) -> AuthPayload:
        ctx = info.context
        provider = ctx.providers.zalo_apps.for_app(app)
        session = await signin.login_with_provider(ctx.sign_in_rules, ctx.tokens, provider, zalo_access_token)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="Send a 6-digit sign-in code by SMS. RATE_LIMITED carries retryAfterSeconds.")
    async def request_otp(
        self,
        info: Info,
        phone: Annotated[str, bounds.argument("A Vietnamese mobile number, any usual form.", bounds.PHONE)],
    ) -> OtpRequestType:
        ctx = info.context
        request = await otp.request_otp(ctx.sign_in_rules, ctx.providers.otp_sender, phone, client_address(info))
        return OtpRequestType.from_request(request)

    @strawberry.mutation(
        description=(
            "Sign in with the code sent by `requestOtp`; 5 tries per code. RATE_LIMITED (retryAfterSeconds) after "
            "too many failed sign-ins from one network."
        )
    )
    async def login_with_otp(
        self,
        info: Info,
        phone: Annotated[str, bounds.argument("The number the code was sent to.", bounds.PHONE)],
        code: Annotated[str, bounds.argument("The 6-digit code.", bounds.OTP_CODE)],
    ) -> AuthPayload:
        session = await signin.login_with_otp(
            info.context.sign_in_rules, info.context.tokens, phone, code, client_address(info)
        )
        return AuthPayload.from_session(session)

    @strawberry.mutation(
        description=(
            "Sign in as staff or admin. Repeated failures are RATE_LIMITED for a while (retryAfterSeconds): for this "
            "account from this network, for any account from this network, or for this account from everywhere "
            "but the networks it signed in from before."
        )
    )
    async def login_with_password(
        self,
        info: Info,
        username: Annotated[str, bounds.argument("Sign-in name.", bounds.USERNAME)],
        password: Annotated[str, bounds.argument("Password.", bounds.PASSWORD)],
    ) -> AuthPayload:
        session = await signin.login_with_password(
            info.context.sign_in_rules, info.context.tokens, username, password, client_address(info)
        )
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="Trade a refresh token for a new pair; a reused refresh token ends the session.")
    async def refresh_session(
        self,
        info: Info,
        refresh_token: Annotated[str, bounds.argument("The latest refresh token.", bounds.OWN_TOKEN)],
    ) -> AuthPayload:
        session = await sessions.refresh_session(info.context.sign_in_rules, info.context.tokens, refresh_token)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="End the session this refresh token belongs to; false if it is unknown.")
    async def logout(
        self, refresh_token: Annotated[str, bounds.argument("Any refresh token of the session.", bounds.OWN_TOKEN)]
    ) -> bool:
        return await sessions.logout(refresh_token)

    @strawberry.mutation(description="Create a staff or admin account.", permission_classes=[IsAgencyAdmin])
    async def create_staff_user(
        self, info: Info, input: Annotated[CreateStaffUserInput, bounds.bare_fields_argument("The new account.")]
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
        user_id: Annotated[strawberry.ID, bounds.argument("The account.", bounds.ID)],
        active: Annotated[bool, strawberry.argument(description="False to deactivate, true to reactivate.")],
    ) -> UserType:
        user = await users.set_user_active(require_principal(info), user_id, active, info.context.events)
        return UserType.from_model(user)

    @strawberry.mutation(
        description=(
            'ADMIN: undo a join of two citizen accounts (find it in `auditLog(entity: "account_join")`). What the '
            "join moved goes back and the joined account signs in with its own phone again; both accounts' sessions "
            "end. Written to the audit log. NOT_FOUND (field `joinId`); CONFLICT with reason `already_split`, or "
            "`joined_later` (the kept account was joined into another since: split that join first)."
        ),
        permission_classes=[IsAdmin],
    )
    async def split_account_join(
        self, info: Info, join_id: Annotated[strawberry.ID, bounds.argument("The join's id.", bounds.ID)]
    ) -> AccountJoinType:
        return AccountJoinType.from_model(await joining.split_account_join(require_principal(info), join_id))
