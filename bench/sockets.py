"""A websocket client that costs as little as possible per frame, for a thousand consoles in one process.

With a full client library each frame received goes through a queue, a future and a waiting task; with thousands of
sockets on one core that alone takes longer than the push being measured. Here a socket is an asyncio protocol: it
does the opening handshake, sends masked text frames, answers pings, and hands each text message, with the moment it
was read, to the socket's `listener`. Like a browser it offers per-message compression (permessage-deflate, RFC
7692), which the server then spends memory and time on for every socket; it inflates what comes back compressed and
sends its own few frames uncompressed.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import struct
import time
import zlib
from collections.abc import Callable

from bench.cli import fail

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
RECEIVE_SECONDS = 30
OFFER = "permessage-deflate; client_max_window_bits"
TAIL = b"\x00\x00\xff\xff"  # what a compressed message's last block ends with, removed by the sender
Listener = Callable[["Socket", float, str], None]


class Socket(asyncio.Protocol):
    def __init__(self, listener: Listener | None) -> None:
        self.listener = listener or self.queue_it
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.fragments: list[bytes] = []
        self.compressed = False
        self.deflate: tuple[int, bool] | None = None  # the server's window bits and whether it resets per message
        self.inflater = zlib.decompressobj()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        arrived = time.perf_counter()
        self.buffer += data
        if not self.opened.done():
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head.decode(errors="replace")))
                return
            self.buffer = rest
            self.agree(head.decode(errors="replace"))
            self.opened.set_result(None)
        while (frame := self.next_frame()) is not None:
            final, opcode, payload = frame
            if opcode == PING:
                self.send(PONG, payload)
            elif opcode == CLOSE:
                self.close()
            elif opcode in (TEXT, 0):
                self.fragments.append(payload)
                if final:
                    self.listener(self, arrived, self.message())

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        self.listener(self, time.perf_counter(), "")

    def agree(self, response: str) -> None:
        """What the server accepted of the compression offered, if anything."""
        accepted = re.search(r"(?im)^sec-websocket-extensions:\s*permessage-deflate([^\r\n]*)", response)
        if accepted is None:
            return
        bits = re.search(r"server_max_window_bits=(\d+)", accepted.group(1))
        self.deflate = (int(bits.group(1)) if bits else 15, "server_no_context_takeover" in accepted.group(1))
        self.inflater = zlib.decompressobj(-self.deflate[0])

    def message(self) -> str:
        data, self.fragments = b"".join(self.fragments), []
        if self.compressed and self.deflate is not None:
            data = self.inflater.decompress(data + TAIL)
            if self.deflate[1]:
                self.inflater = zlib.decompressobj(-self.deflate[0])
        return data.decode()

    def next_frame(self) -> tuple[bool, int, bytes] | None:
        """One whole frame off the buffer (frames from a server are never masked), or None until one has arrived."""
        if len(self.buffer) < 2:
            return None
        first, second = self.buffer[0], self.buffer[1] & 0x7F
        if first & 0x0F in (TEXT, 0x2):
            self.compressed = bool(first & 0x40)  # RSV1 on a message's first frame: the message is compressed
        start, length = 2, second
        if second == 126:
            start, length = 4, struct.unpack_from("!H", self.buffer, 2)[0] if len(self.buffer) >= 4 else -1
        elif second == 127:
            start, length = 10, struct.unpack_from("!Q", self.buffer, 2)[0] if len(self.buffer) >= 10 else -1
        if length < 0 or len(self.buffer) < start + length:
            return None
        payload, self.buffer = self.buffer[start : start + length], self.buffer[start + length :]
        return bool(first & 0x80), first & 0x0F, payload

    def send_text(self, text: str) -> None:
        self.send(TEXT, text.encode())

    def send(self, opcode: int, payload: bytes) -> None:
        """A client's frames are masked (RFC 6455, 5.3)."""
        assert self.transport is not None
        key = os.urandom(4)
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        mask = int.from_bytes((key * (size // 4 + 1))[:size], "big")
        self.transport.write(header + key + (int.from_bytes(payload, "big") ^ mask).to_bytes(size, "big"))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send(CLOSE, struct.pack("!H", 1000))
            self.transport.close()

    def queue_it(self, socket: Socket, arrived: float, text: str) -> None:
        self.inbox.put_nowait(text)

    async def receive(self) -> str:
        """The next text frame, while no other listener is set (opening a console, before the rounds)."""
        async with asyncio.timeout(RECEIVE_SECONDS):
            text = await self.inbox.get()
        if not text:
            fail("a socket was closed by the server")
        return text


async def open_socket(url: str, subprotocol: str | None = None) -> Socket:
    """A websocket to `ws://host:port/path`, its handshake done."""
    address, _, path = url.removeprefix("ws://").partition("/")
    host, _, port = address.partition(":")
    loop = asyncio.get_running_loop()
    _, socket = await loop.create_connection(lambda: Socket(None), host, int(port))
    assert socket.transport is not None
    lines = [
        f"GET /{path} HTTP/1.1",
        f"Host: {address}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
        f"Sec-WebSocket-Extensions: {OFFER}",
    ]
    if subprotocol:
        lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
    socket.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await asyncio.wait_for(socket.opened, 60)
    return socket
