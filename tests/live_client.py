"""A small graphql-transport-ws / graphql-ws client over a real WebSocket, for tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"

ARTICLES = """
subscription Articles($filter: ArticleLiveFilter, $after: String) {
  articlePublished(filter: $filter, after: $after) { cursor kind article { slug title } }
}
"""


class LiveClient:
    def __init__(self, websocket: ClientConnection, protocol: str) -> None:
        self.websocket = websocket
        self.protocol = protocol

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls, url: str, *, protocol: str = TRANSPORT_WS, init: bool = True, **options: Any
    ) -> AsyncIterator[LiveClient]:
        options.setdefault("open_timeout", 10)
        options.setdefault("compression", None)
        async with websockets.connect(url, subprotocols=[protocol], **options) as websocket:  # type: ignore[list-item]
            client = cls(websocket, protocol)
            if init:
                await client.initialise()
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps(message))

    async def receive(self, within: float = 30) -> dict[str, Any]:
        """The next message other than keep-alives (pings are answered)."""
        while True:
            message: dict[str, Any] = json.loads(
                await asyncio.wait_for(self.websocket.recv(), within)
            )
            if message["type"] == "ping":
                await self.send({"type": "pong"})
            elif message["type"] not in ("pong", "ka"):
                return message

    async def initialise(self, payload: dict[str, Any] | None = None) -> None:
        await self.send({"type": "connection_init", "payload": payload or {}})
        assert (await self.receive())["type"] == "connection_ack"

    async def initialise_expecting_close(self, payload: dict[str, Any]) -> None:
        """Send ``connection_init`` and wait until the server closes the socket."""
        await self.send({"type": "connection_init", "payload": payload})
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(self.websocket.recv(), 30)

    async def subscribe(
        self, operation_id: str, query: str = ARTICLES, variables: dict[str, Any] | None = None
    ) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.send(
            {
                "id": operation_id,
                "type": kind,
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def subscribe_articles(
        self, operation_id: str, *, after: str | None = None, **filter_: str
    ) -> None:
        await self.subscribe(operation_id, ARTICLES, {"filter": filter_ or None, "after": after})

    async def events(self, count: int, within: float = 30) -> list[dict[str, Any]]:
        """The next ``count`` results (``payload.data`` root field values)."""
        found = []
        while len(found) < count:
            message = await self.receive(within)
            assert message["type"] in ("next", "data"), message
            assert "errors" not in message["payload"], message
            (value,) = message["payload"]["data"].values()
            found.append(value)
        return found

    async def quiet(self, seconds: float = 0.5) -> None:
        """Assert nothing but keep-alives arrives for a while."""
        with contextlib.suppress(TimeoutError):
            message = await self.receive(seconds)
            raise AssertionError(f"unexpected message {message}")
