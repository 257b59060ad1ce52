"""A websocket acts for its account only while that account could still make the same HTTP request.

HTTP authenticates every request again (`auth.authentication`: the token, then the account as it is now); a socket
signs in once, with `connection_init`. So every operation a socket starts is authenticated again with the token it
signed in with and must give the same principal: a deactivated account, another role or agency, or an account joined
into another is refused with `UNAUTHENTICATED` and the socket is closed with `ACCOUNT_CHANGED_CODE`; an expired
token closes it with `TOKEN_EXPIRED_CODE`, as `api.ws_expiry` does on time. Deactivations are announced on the event
bus (to every worker), so the account's sockets are checked, and closed with their running subscriptions, at once
rather than at their next operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage, SubscribeMessage
from tortoise.exceptions import BaseORMException

from api.ws_expiry import TOKEN_EXPIRED_CODE, TOKEN_EXPIRED_REASON
from auth.authentication import authenticate_header
from core.errors import Unauthenticated
from schema.base.errors import to_client_error
from schema.context import Context

logger = logging.getLogger("phananh.ws")

ACCOUNT_CHANGED_CODE = 4403
ACCOUNT_CHANGED_REASON = "Account changed"
_checks: set[asyncio.Task[None]] = set()


class AccountCheckedHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's `graphql-transport-ws` handler, with the account checked before each operation and on demand."""

    _unwatch: Callable[[], None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        principal = self.context.principal
        if self.connection_acknowledged and principal is not None and self._unwatch is None:
            self._unwatch = self.context.events.watch_account(principal.user_id, self._account_may_have_changed)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            refusal = await self._refusal()
            if refusal is not None:
                error = to_client_error(GraphQLError(refusal.message, original_error=refusal))
                await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
                await self._close(refusal)
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        await super().shutdown()

    def _account_may_have_changed(self) -> None:
        check = asyncio.create_task(self._check_now())
        _checks.add(check)
        check.add_done_callback(_checks.discard)

    async def _check_now(self) -> None:
        try:
            refusal = await self._refusal()
        except (BaseORMException, OSError) as exc:
            # The database is away: the socket's next operation is checked again, as is every HTTP request.
            logger.warning("websocket: account not checked (%s)", exc.__class__.__name__)
            return
        if refusal is not None:
            await self._close(refusal)

    async def _refusal(self) -> Unauthenticated | None:
        """Why the socket may no longer act for its account, or None when the account is as it signed in."""
        authorization = (self.context.connection_params or {}).get("authorization")
        try:
            now = await authenticate_header(
                self.context.tokens, authorization if isinstance(authorization, str) else None
            )
        except Unauthenticated as exc:
            return exc
        if now is None or now != self.context.principal:
            return Unauthenticated(
                "This account changed since the socket signed in; sign in again.", reason="account_changed"
            )
        return None

    async def _close(self, refusal: Unauthenticated) -> None:
        """End the running operations (subscriptions included), then the socket, with a code the client acts on."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        if refusal.extensions.get("reason") == "expired":
            code, reason = TOKEN_EXPIRED_CODE, TOKEN_EXPIRED_REASON
        else:
            code, reason = ACCOUNT_CHANGED_CODE, ACCOUNT_CHANGED_REASON
        with contextlib.suppress(RuntimeError, OSError):  # the client may be gone already
            await self.websocket.close(code=code, reason=reason)
