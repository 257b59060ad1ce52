"""A websocket acts for its account only while that account could still make the same HTTP request.

HTTP authenticates every request again (`auth.authentication`: the token, then the account as it is now); a socket
signs in once, with `connection_init`. So every operation a socket starts is authenticated again with the token it
signed in with and must give the same principal: a deactivated account, another role or agency, or an account joined
into another is refused with `UNAUTHENTICATED` and the socket is closed with `ACCOUNT_CHANGED_CODE`; an expired
token closes it with `TOKEN_EXPIRED_CODE`, as `api.ws_expiry` does on time. Deactivations are announced on the event
bus (to every worker), so the account's sockets are checked, and closed with their running subscriptions, at once
rather than at their next operation.

Subscriptions do not run one stream per socket: each joins its live group (`api.live_groups`), which runs the
operation once for every console that would hear the same thing and queues the encoded frames to each; this handler
is the member's socket: it writes those frames, and closes itself with `SLOW_CONSUMER_CODE` when one of its queues
overflows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from graphql import GraphQLError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage, SubscribeMessage
from tortoise.exceptions import BaseORMException

from api.live_groups import SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON, LiveGroups, Member
from api.persisted import PersistedOperations, PersistedQueryError
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
    _members: dict[str, Member] | None = None
    _closing: asyncio.Task[None] | None = None

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
            if not await self._resolve_persisted(message):
                return
        taken = message["id"] in self.operations
        await super().handle_subscribe(message)
        operation = self.operations.get(message["id"])
        groups: LiveGroups | None = getattr(self.view, "live", None)
        if taken or operation is None or groups is None:
            return
        # The operation's task has not started yet: it finds its membership when it does (`run_operation`).
        member = groups.join(operation, self.context, self.context.events, self)
        if member is not None:
            self._members = self._members or {}
            self._members[operation.id] = member

    async def _resolve_persisted(self, message: SubscribeMessage) -> bool:
        """A socket runs what HTTP would (`api.persisted`): a persisted hash stands for its text, and under
        TRUSTED_OPERATIONS_ONLY an operation off the list is refused here too, or the socket would be the way round."""
        payload = message["payload"]
        persisted: PersistedOperations = self.context.request.app.state.persisted
        try:
            query = await persisted.resolve(payload.get("query"), payload.get("extensions"))
        except PersistedQueryError as refusal:
            error = GraphQLError(refusal.message, extensions={"code": refusal.code})
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return False
        if query is not None:
            payload["query"] = query
        return True

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        member = self._members.pop(operation.id, None) if self._members else None
        if member is None:
            await super().run_operation(operation)
            return
        await member.run()

    async def cleanup_operation(self, operation_id: str) -> None:
        """A member whose task never started leaves its group here; a started one leaves as its task ends."""
        member = self._members.pop(operation_id, None) if self._members else None
        if member is not None:
            member.group.leave(member)
        await super().cleanup_operation(operation_id)

    async def send_text(self, frame: str) -> None:
        """A frame a live group encoded once for all its members."""
        await self.websocket.ws.send_text(frame)  # type: ignore[attr-defined]

    def close_too_slow(self) -> None:
        """One of this socket's subscriptions overflowed its queue: end them all and close the socket, in the
        background (the close frame waits until the client reads again)."""
        if self._closing is None:
            self._closing = asyncio.create_task(self._close_with(SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON))

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
        if refusal.extensions.get("reason") == "expired":
            await self._close_with(TOKEN_EXPIRED_CODE, TOKEN_EXPIRED_REASON)
        else:
            await self._close_with(ACCOUNT_CHANGED_CODE, ACCOUNT_CHANGED_REASON)

    async def _close_with(self, code: int, reason: str) -> None:
        """End the running operations (subscriptions included), then the socket, with a code the client acts on."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(RuntimeError, OSError):  # the client may be gone already
            await self.websocket.close(code=code, reason=reason)
