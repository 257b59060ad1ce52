"""ZIP archives written as they are sent: the evidence dossier and the XLSX export are ZIPs of unknown final size.

`zipfile` writes to a stream that can tell its position but not seek (it then puts each member's sizes and CRC in a
data descriptor after the member), so the archive goes into a sink that is emptied after every write: what is held
at once is one chunk of one member plus what the compressor buffers, whatever the archive's size.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime


class _Sink:
    """A write-only stream that keeps only what has not been taken yet."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        """Nothing is buffered here; `zipfile` calls it."""

    def close(self) -> None:
        """Nothing to release; `zipfile`'s writer protocol asks for it."""

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


@dataclass(frozen=True)
class Member:
    """One file of the archive. Already-compressed content (photos, videos) is better `stored`: deflating it again
    costs CPU for nothing."""

    name: str
    chunks: AsyncIterable[bytes]
    modified: datetime
    compressed: bool = True


async def stream_zip(members: AsyncIterable[Member]) -> AsyncIterator[bytes]:
    """The archive's bytes, member after member, each chunk yielded as soon as `zipfile` has written it."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        async for member in members:
            info = zipfile.ZipInfo(member.name, date_time=member.modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED if member.compressed else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as entry:
                async for chunk in member.chunks:
                    entry.write(chunk)
                    if data := sink.take():
                        yield data
            if data := sink.take():
                yield data
    yield sink.take()
