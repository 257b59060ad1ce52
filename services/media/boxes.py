"""Walking an ISO base media file (MP4, MOV): a sequence of boxes, each a size and a four-letter type, some of which
hold further boxes.

No size is trusted: a box that claims to end past its parent stops the walk there rather than being guessed at, so a
damaged or hostile file is read as far as it is well formed and no further.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

# Boxes made only of boxes, descended into by `walk`.
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}


@dataclass(frozen=True)
class Box:
    kind: bytes
    start: int
    header: int
    end: int

    @property
    def body(self) -> int:
        return self.start + self.header


def boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[Box]:
    """The boxes between `start` and `end`; stops at the first malformed header rather than guessing."""
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                return
            size = struct.unpack_from(">Q", data, position + 8)[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            return
        yield Box(kind, position, header, position + size)
        position += size


def walk(data: bytes | bytearray) -> Iterator[Box]:
    """Every box of the file, those inside containers included."""
    pending = [(0, len(data))]
    while pending:
        start, end = pending.pop()
        for box in boxes(data, start, end):
            yield box
            if box.kind in CONTAINERS:
                pending.append((box.body, box.end))


def child(data: bytes | bytearray, parent: Box, *path: bytes) -> Box | None:
    """The first box down `path` (types, one per level) inside `parent`, or None if the file has none there."""
    found: Box | None = parent
    for kind in path:
        if found is None:
            return None
        inside = found
        found = next((box for box in boxes(data, inside.body, inside.end) if box.kind == kind), None)
    return found


def field(data: bytes | bytearray, box: Box, offset: int, length: int) -> bytes:
    """`length` bytes at `offset` in the box's body; empty if the box is too short to hold them."""
    start = box.body + offset
    return bytes(data[start : start + length]) if start + length <= box.end else b""
