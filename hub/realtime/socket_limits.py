"""How many live connections (WebSockets and event streams) one client address, and one
process, may hold open.

An ASGI wrapper in front of the live endpoint. Over ``HUB_WS_MAX_PER_ADDRESS`` open sockets
from one client address (:mod:`hub.addresses`), the handshake is refused with HTTP 429, a
``Retry-After`` and a GraphQL-shaped reason (``TOO_MANY_CONNECTIONS``); over
``HUB_WS_MAX_PER_PROCESS`` in the process, the socket is accepted and closed at once with 1013
(try again later) and the reason, which browsers can read (they see no handshake status) and
clients take as a cue to reconnect elsewhere or later. 0 lifts a limit. Counting starts at
the handshake, before any message, so idle sockets count like busy ones.

The SSE transport (:mod:`hub.realtime.sse`) counts its open event streams in the same
instance (``full`` before opening one, ``hold`` while it is open): the limits are on live
connections, whichever transport they use.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from enum import Enum
from typing import Any

import orjson

from hub.addresses import client_address
from hub.settings import Settings

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

TRY_AGAIN_LATER = 1013
RETRY_AFTER_SECONDS = 30
DENIAL = "websocket.http.response"  # the ASGI extension for refusing a handshake with a status


class Full(Enum):
    PROCESS = "process"  # the process holds its limit
    ADDRESS = "address"  # the client address holds its limit


class SocketLimits:
    def __init__(self, app: App, settings: Settings) -> None:
        self.app = app
        self.per_address = settings.ws_max_per_address
        self.per_process = settings.ws_max_per_process
        self.by_address: Counter[str] = Counter()
        self.open = 0

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        address = client_address(scope) or "unknown"
        full = self.full(address)
        if full is Full.PROCESS:
            await self.refuse_busy(receive, send)
        elif full is Full.ADDRESS:
            await self.refuse_address(scope, receive, send)
        else:
            with self.hold(address):
                await self.app(scope, receive, send)

    def full(self, address: str) -> Full | None:
        """Which limit one more connection from ``address`` would pass, if any."""
        if self.per_process and self.open >= self.per_process:
            return Full.PROCESS
        if self.per_address and self.by_address[address] >= self.per_address:
            return Full.ADDRESS
        return None

    @contextlib.contextmanager
    def hold(self, address: str) -> Iterator[None]:
        """Count one open connection from ``address`` while the block runs."""
        self.open += 1
        self.by_address[address] += 1
        try:
            yield
        finally:
            self.open -= 1
            self.by_address[address] -= 1
            if not self.by_address[address]:
                del self.by_address[address]

    async def refuse_busy(self, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        reason = f"Try again later: this server holds its limit of {self.per_process} WebSockets"
        await send({"type": "websocket.close", "code": TRY_AGAIN_LATER, "reason": reason})

    async def refuse_address(
        self, scope: MutableMapping[str, Any], receive: Receive, send: Send
    ) -> None:
        await receive()  # websocket.connect
        message = (
            f"Too many WebSockets from one address: at most {self.per_address} at once; "
            "close one first"
        )
        if DENIAL not in scope.get("extensions", {}):  # the server cannot refuse with a status
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER, "reason": message})
            return
        body = orjson.dumps(
            {"errors": [{"message": message, "extensions": {"code": "TOO_MANY_CONNECTIONS"}}]}
        )
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
