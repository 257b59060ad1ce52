"""Turns a bearer token into a principal, checking the user still exists, is active, and what role they have now."""

from __future__ import annotations

import uuid

from tortoise import connections

from auth.principal import Principal
from auth.tokens import TokenCodec
from core.errors import Unauthenticated
from models.users import User

BEARER = "bearer "
ACCOUNT = 'SELECT id, role, agency_id, merged_into_id, is_active FROM "user" WHERE id = ?'


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header; None without a header, an error for any other scheme."""
    if authorization is None or not authorization.strip():
        return None
    if not authorization.lower().startswith(BEARER) or not authorization[len(BEARER) :].strip():
        raise Unauthenticated("Send the access token as `Authorization: Bearer <token>`.", reason="malformed")
    return authorization[len(BEARER) :].strip()


async def authenticate_token(codec: TokenCodec, token: str) -> Principal:
    return await current_principal(codec.decode(token).user_id)


async def current_principal(user_id: uuid.UUID) -> Principal:
    """The user as they are now, for a token or a signed link that names them: read on every request, never cached,
    so a disabled account is refused at once."""
    user = await _account(user_id)
    if user is not None and user.merged_into_id is not None:
        # Joined to another account (services.accounts.joining): the token now acts for that one.
        user = await _account(user.merged_into_id)
    if user is None or not user.is_active:
        raise Unauthenticated("This account can no longer sign in.", reason="inactive")
    return Principal.of(user)


async def _account(user_id: uuid.UUID) -> User | None:
    """The columns a principal needs, by one prepared statement: every authenticated request runs it, and the ORM's
    query building cost ten times the statement itself."""
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    sql = ACCOUNT.replace("?", "$1") if postgres else ACCOUNT
    rows = await connection.execute_query_dict(sql, [user_id if postgres else str(user_id)])
    return User._init_from_db(**rows[0]) if rows else None


async def authenticate_header(codec: TokenCodec, authorization: str | None) -> Principal | None:
    token = bearer_token(authorization)
    return None if token is None else await authenticate_token(codec, token)
