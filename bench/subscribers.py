"""Many WebSocket subscribers in one process, cheap on CPU, for the live benchmark.

A minimal RFC 6455 client on ``asyncio.Protocol`` (under uvloop): it does the handshake,
speaks just enough graphql-transport-ws (``connection_init``, ``subscribe``, answering
``ping``) and records each incoming text message with its arrival time, undecoded; JSON is
decoded only after the measurement. The server sees ordinary WebSocket clients; the
benchmark's own CPU stays small next to the server's, so it measures the server.

``run(url, subscribers, pipe)`` is a client process's entry point: it reports
``"connected"`` once every subscription is acknowledged, waits for ``"report"``, then sends
back ``{number: [(arrival time, article slug), ...]}`` and the other messages it got.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from typing import Any, cast
from urllib.parse import urlsplit

CONNECT_BATCH = 200


def client_frame(message: bytes, opcode: int = 0x1) -> bytes:
    """A masked frame from client to server (RFC 6455 §5.3)."""
    mask = os.urandom(4)
    length = len(message)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    key = int.from_bytes((mask * (length // 4 + 1))[:length], "big")
    masked = (int.from_bytes(message, "big") ^ key).to_bytes(length, "big") if length else b""
    return header + mask + masked


class Subscriber(asyncio.Protocol):
    def __init__(self, host: str, path: str, subscribe: bytes, ready: asyncio.Future[None]):
        self.host = host
        self.path = path
        self.subscribe = subscribe
        self.ready = ready
        self.buffer = bytearray()
        self.handshaken = False
        self.acknowledged = False
        self.transport: asyncio.Transport | None = None
        self.messages: list[tuple[float, bytes]] = []
        self.closed: bytes | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )

    def send(self, message: bytes, opcode: int = 0x1) -> None:
        assert self.transport is not None
        self.transport.write(client_frame(message, opcode))

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer
        buffer += data
        if not self.handshaken:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.fail(f"handshake refused: {bytes(buffer[:40])!r}")
                return
            del buffer[: end + 4]
            self.handshaken = True
            self.send(b'{"type":"connection_init"}')
        start, size = 0, len(buffer)
        while size - start >= 2:
            opcode, length, header = buffer[start] & 0x0F, buffer[start + 1] & 0x7F, 2
            if length == 126:
                if size - start < 4:
                    break
                length, header = int.from_bytes(buffer[start + 2 : start + 4], "big"), 4
            elif length == 127:
                if size - start < 10:
                    break
                length, header = int.from_bytes(buffer[start + 2 : start + 10], "big"), 10
            if size - start < header + length:
                break
            payload = bytes(buffer[start + header : start + header + length])
            start += header + length
            self.frame(opcode, payload, now)
        del buffer[:start]

    def frame(self, opcode: int, payload: bytes, now: float) -> None:
        if opcode == 0x1:
            if not self.acknowledged:
                self.acknowledged = True
                self.send(self.subscribe)
                if not self.ready.done():
                    self.ready.set_result(None)
            elif payload.startswith(b'{"type":"ping"'):
                self.send(b'{"type":"pong"}')
            else:
                self.messages.append((now, payload))
        elif opcode == 0x9:
            self.send(payload, 0xA)
        elif opcode == 0x8:
            self.closed = payload

    def fail(self, reason: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(reason))

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(f"connection lost before the subscription started: {exc}")


async def open_subscribers(
    url: str, variables_of: dict[int, dict[str, Any]], query: str
) -> dict[int, Subscriber]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    opened: dict[int, Subscriber] = {}

    async def open_one(number: int) -> None:
        message = {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": query, "variables": variables_of[number]},
        }
        ready: asyncio.Future[None] = loop.create_future()
        subscribe = json.dumps(message).encode()
        _, subscriber = await loop.create_connection(
            lambda: Subscriber(f"{host}:{port}", parts.path, subscribe, ready), host, port
        )
        await asyncio.wait_for(ready, 60)
        opened[number] = subscriber

    numbers = list(variables_of)
    for start in range(0, len(numbers), CONNECT_BATCH):
        await asyncio.gather(*(open_one(n) for n in numbers[start : start + CONNECT_BATCH]))
    return opened


def report(subscribers: dict[int, Subscriber]) -> dict[str, Any]:
    deliveries: dict[int, list[tuple[float, str]]] = {}
    other: list[str] = []
    for number, subscriber in subscribers.items():
        got = deliveries[number] = []
        for at, raw in subscriber.messages:
            message = json.loads(raw)
            if message.get("type") == "next" and "errors" not in message["payload"]:
                got.append((at, message["payload"]["data"]["articlePublished"]["article"]["slug"]))
            else:
                other.append(raw.decode()[:200])
        if subscriber.closed is not None:
            other.append(f"closed: {subscriber.closed!r}")
    return {"deliveries": deliveries, "other": other}


async def main(url: str, variables_of: dict[int, dict[str, Any]], query: str, pipe: Any) -> None:
    subscribers = await open_subscribers(url, variables_of, query)
    pipe.send("connected")
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "report"
    pipe.send(report(subscribers))
    for subscriber in subscribers.values():
        if subscriber.transport is not None:
            subscriber.transport.close()


def run(url: str, variables_of: dict[int, dict[str, Any]], query: str, pipe: Any) -> None:
    import uvloop

    uvloop.run(main(url, variables_of, query, pipe))
