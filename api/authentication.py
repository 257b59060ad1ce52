"""Authentication at the edge: the Starlette backend that puts the caller on every HTTP request.

An invalid token is answered 401 with a GraphQL-shaped `UNAUTHENTICATED` error: it is never treated as anonymous.
Websockets carry their token in `connection_init` instead (see `api.graphql`).
"""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from auth.authentication import authenticate_header
from auth.principal import Principal
from auth.tokens import TokenCodec
from core.errors import Unauthenticated


class PrincipalUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return str(self.principal.user_id)


class BearerTokenBackend(AuthenticationBackend):
    def __init__(self, codec: TokenCodec) -> None:
        self.codec = codec

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        if conn.scope["type"] != "http":
            return None
        try:
            principal = await authenticate_header(self.codec, conn.headers.get("authorization"))
        except Unauthenticated as exc:
            raise AuthenticationError(exc.message) from None
        if principal is None:
            return None
        return AuthCredentials(["authenticated", principal.role.value]), PrincipalUser(principal)


def on_authentication_error(conn: HTTPConnection, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def principal_of(conn: HTTPConnection) -> Principal | None:
    user = conn.scope.get("user")
    return user.principal if isinstance(user, PrincipalUser) else None
