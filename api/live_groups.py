"""Live fan-out: consoles that would hear the same thing share one stream, and each gets the same bytes.

A thousand officers of one agency subscribed to `reportSubmitted` used to cost, per event, a thousand database reads
and a thousand GraphQL executions. Here the subscriptions of one process are grouped by what decides what they hear:
the document, its variables and operation name, and the subscriber's audience (`services.reports.subscriptions.
audience`: role and agency for staff and admins; the person too for citizens). Each group runs the operation once,
as its audience, on one bus subscription; every result is encoded once and queued to each member, whose own task
writes it to its socket. A group starts with its first member, synchronously, so no event published after a
`subscribe` message is missed; it ends when its last member leaves, or when its stream ends (then every member gets
`complete`, the signal to catch up). Each member's account is checked before pushing, at most every 30 s, for the
whole group in one query.

Back-pressure: a member's queue holds at most `WS_SEND_QUEUE` frames. A console that does not read falls behind only
itself: when its queue is full, its socket is closed with `SLOW_CONSUMER_CODE` (1013, "Try Again Later"), whose
frame is written as soon as the client reads again (a client that never does is dropped by the keepalive ping).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from graphql import GraphQLError, OperationType
from starlette.websockets import WebSocketDisconnect
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from api import operations
from auth.principal import Principal
from core.errors import Unauthenticated
from schema.base.errors import to_client_error
from schema.context import Context
from services.events import EventBus, Presubscribed, Subscription
from services.reports import subscriptions as live

if TYPE_CHECKING:
    from strawberry.schema import BaseSchema
    from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation

logger = logging.getLogger("phananh.live")

SLOW_CONSUMER_CODE = 1013
SLOW_CONSUMER_REASON = "Console too slow"
Message = dict[str, Any]


class Socket(Protocol):
    """What a member needs of its connection (`api.ws_auth.AccountCheckedHandler`)."""

    async def send_text(self, frame: str) -> None: ...

    def close_too_slow(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class GroupKey:
    audience: Principal
    query: str
    variables: str
    operation_name: str | None


class Member:
    """One subscription of one socket in a group: its frames wait here until its own task writes them."""

    __slots__ = ("_final", "_frames", "_limit", "_waiter", "group", "operation", "socket", "user_id")

    def __init__(self, group: LiveGroup, operation: Operation[Any, Any], socket: Socket, user_id: uuid.UUID) -> None:
        self.group = group
        self.operation = operation
        self.socket = socket
        self.user_id = user_id
        self._limit = group.groups.send_queue
        self._frames: deque[str] = deque()
        self._final: tuple[Message, ...] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def push(self, frame: str) -> bool:
        """Queue a frame; False when the queue is full (the socket does not keep up)."""
        if len(self._frames) >= self._limit:
            return False
        self._frames.append(frame)
        self._wake()
        return True

    def end(self, *messages: Message) -> None:
        """The last messages of this subscription (`complete`, or an error then `complete`), after what is queued."""
        self._final = messages
        self._wake()

    def drop(self) -> None:
        self._frames.clear()

    async def run(self) -> None:
        """The operation's task: write the frames in order, then the final messages. A socket already gone ends it
        quietly: the connection's own handler cleans up."""
        try:
            while True:
                while self._frames:
                    await self.socket.send_text(self._frames.popleft())
                if self._final is not None:
                    for message in self._final:
                        await self.operation.send_operation_message(message)  # type: ignore[arg-type]
                    return
                self._waiter = asyncio.get_running_loop().create_future()
                await self._waiter
                self._waiter = None
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        finally:
            self.group.leave(self)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class LiveGroup:
    """One operation run once for all its members (see the module docstring)."""

    def __init__(self, groups: LiveGroups, key: GroupKey, context: Context, subscription: Subscription) -> None:
        self.groups = groups
        self.key = key
        self.context = context
        self.subscription = subscription
        self.members: dict[Member, None] = {}
        self.task: asyncio.Task[None] | None = None
        self._checked_at = -math.inf
        self._ended = False

    def leave(self, member: Member) -> None:
        self.members.pop(member, None)
        if not self.members and not self._ended:
            self._stop()

    async def run(self) -> None:
        ending: tuple[Message, ...] = ({"type": "complete"},)
        try:
            key = self.key
            variables = json.loads(key.variables)
            source = await self.groups.schema.stream(
                key.query, variable_values=variables, context_value=self.context, operation_name=key.operation_name
            )
            async with aclosing(source):
                first = True
                async for result in source:
                    if first and isinstance(result, PreExecutionError):
                        ending = ({"type": "error", "payload": [error.formatted for error in result.errors or ()]},)
                        return
                    if not isinstance(result, ExecutionResult):
                        refusal = GraphQLError("Incremental delivery is not supported over graphql-transport-ws")
                        ending = ({"type": "error", "payload": [refusal.formatted]},)
                        return
                    first = False
                    await self._check_members()
                    self._push(result)
        finally:
            self._finish(ending)

    def _push(self, result: ExecutionResult) -> None:
        payload: Message = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        encoded = self.groups.encode(payload)
        frames: dict[str, str] = {}
        for member in list(self.members):
            operation_id = member.operation.id
            frame = frames.get(operation_id)
            if frame is None:
                frame = frames[operation_id] = f'{{"id":{json.dumps(operation_id)},"type":"next","payload":{encoded}}}'
            if not member.push(frame):
                self._too_slow(member)

    async def _check_members(self) -> None:
        if time.monotonic() - self._checked_at <= live.ACCOUNT_RECHECK_SECONDS:
            return
        changed = await live.signed_out(self.key.audience, {member.user_id for member in self.members})
        self._checked_at = time.monotonic()
        if not changed:
            return
        refusal = Unauthenticated("This account changed or can no longer sign in; sign in again.", reason="inactive")
        error = to_client_error(GraphQLError(refusal.message, original_error=refusal)).formatted
        for member in [member for member in self.members if member.user_id in changed]:
            self.members.pop(member, None)
            member.end(
                {"id": member.operation.id, "type": "next", "payload": {"data": None, "errors": [error]}},
                {"id": member.operation.id, "type": "complete"},
            )

    def _too_slow(self, member: Member) -> None:
        self.members.pop(member, None)
        member.drop()
        logger.info("live: a console fell %d frames behind; its socket is closed", self.groups.send_queue)
        member.socket.close_too_slow()

    def _finish(self, ending: tuple[Message, ...]) -> None:
        self._ended = True
        self.groups.forget(self)
        self.subscription.close()
        for member in list(self.members):
            member.end(*({**message, "id": member.operation.id} for message in ending))
        self.members.clear()

    def _stop(self) -> None:
        """The last member left: end the stream (and its bus subscription, even if the stream never started)."""
        self._ended = True
        self.groups.forget(self)
        self.subscription.close()
        if self.task is not None:
            self.task.cancel()


class LiveGroups:
    """The groups of one process, by key."""

    def __init__(
        self,
        schema: BaseSchema,
        encode: Callable[[object], str],
        *,
        send_queue: int,
        operation_of: Callable[[str, str | None], operations.Operation | None],
    ) -> None:
        self.schema = schema
        self.encode = encode
        self.send_queue = send_queue
        self.operation_of = operation_of
        self._groups: dict[GroupKey, LiveGroup] = {}

    def __len__(self) -> int:
        return len(self._groups)

    def join(
        self,
        operation: Operation[Any, Any],
        context: Context,
        bus: EventBus,
        socket: Socket,
    ) -> Member | None:
        """Make `operation` a member of its group, starting the group if needed; None when it is not a subscription
        (queries and mutations on a socket run as usual). Synchronous: see the module docstring."""
        principal = context.principal
        if principal is None or not self._is_subscription(operation.query, operation.operation_name):
            return None
        try:
            variables = json.dumps(operation.variables or {}, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        key = GroupKey(live.audience(principal), operation.query, variables, operation.operation_name)
        group = self._groups.get(key)
        if group is None:
            subscription = bus.subscribe()
            group_context = dataclasses.replace(
                context, principal=key.audience, events=Presubscribed(bus, subscription), _loaders=None
            )
            group = LiveGroup(self, key, group_context, subscription)
            self._groups[key] = group
            group.task = asyncio.create_task(group.run(), name="live-group")
            group.task.add_done_callback(_log_failure)
        member = Member(group, operation, socket, principal.user_id)
        group.members[member] = None
        return member

    def forget(self, group: LiveGroup) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]

    def _is_subscription(self, query: str, operation_name: str | None) -> bool:
        """A document that does not parse is not one: the usual path then answers with its error."""
        operation = self.operation_of(query, operation_name)
        return operation is not None and operation.kind == OperationType.SUBSCRIPTION.value


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("live: a group's stream failed", exc_info=error)
