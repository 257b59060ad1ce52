"""The Relay `Node` interface: every record a client may refetch by its id alone.

Our ids are UUIDs, unique across every kind of record, so they are already global: `Node.id` is the very `id` the
frontends hold, with no type prefix to add or strip, and `node(id:)` finds the record whatever its type.
"""

from __future__ import annotations

import strawberry


@strawberry.interface(
    name="Node",
    description="A record that `node(id:)` and `nodes(ids:)` refetch by its id (Relay's object identification).",
)
class NodeInterface:
    id: strawberry.ID = strawberry.field(description="Opaque identifier, unique across every kind of record.")
