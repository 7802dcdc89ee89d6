"""Subscribers that follow a server through a restart, for the storm benchmark.

Built on :mod:`bench.subscribers`' minimal WebSocket client. Each subscriber keeps its last
cursor (read from the raw message, undecoded), notes the close frame the server sent, and
on ``("reconnect", at, jitter)`` connects again at ``at`` — plus, with ``jitter``, the delay
its close frame named — resuming with ``after: <last cursor>``. A connection that fails
before its subscription is acknowledged (refused, reset, no handshake answer within
``HANDSHAKE_TIMEOUT``, or 1013 from admission control) is counted and tried again after the
delay the server named (else ``RETRY_DELAY``).

``run(url, variables, query, pipe)`` is a client process's entry point; the pipe carries
``"connected"``, then ``("reconnect", at, jitter)`` → ``"reconnected"``, then ``"report"`` →
``{number: {"messages": [(arrival, raw)], "closes": [...], "resubscribed": t}}`` and the
failure counts.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from bench.subscribers import Subscriber as Connection

HANDSHAKE_TIMEOUT = 15.0
RETRY_DELAY = 0.5
NAMED_DELAY = re.compile(rb"reconnect in (\d+(?:\.\d+)?) s")
CURSOR = b'"cursor":"'


class Follower:
    """One subscriber across its connections."""

    def __init__(self, number: int, variables: dict[str, Any], query: str) -> None:
        self.number = number
        self.variables = variables
        self.query = query
        self.messages: list[tuple[float, bytes]] = []
        self.closes: list[bytes] = []
        self.cursor: str | None = variables.get("after")  # from the first subscription on
        self.resubscribed: float | None = None
        self.connection: Connection | None = None

    def subscribe_message(self) -> bytes:
        variables = {**self.variables, "after": self.cursor}
        message = {"id": "1", "type": "subscribe", "payload": {"query": self.query,
                                                              "variables": variables}}  # fmt: skip
        return json.dumps(message).encode()

    def named_delay(self) -> float | None:
        """The delay the last close frame named, if any."""
        if self.closes and (found := NAMED_DELAY.search(self.closes[-1])):
            return float(found[1])
        return None


class FollowingConnection(Connection):
    """A connection that hands its messages to its follower as they arrive."""

    def __init__(self, follower: Follower, host: str, path: str, ready: asyncio.Future[None]):
        super().__init__(host, path, follower.subscribe_message(), ready)
        self.follower = follower
        self.messages = follower.messages  # appended to by frame()

    def frame(self, opcode: int, payload: bytes, now: float) -> None:
        acknowledged = self.acknowledged
        super().frame(opcode, payload, now)
        if not acknowledged and self.acknowledged:
            self.follower.resubscribed = now
        if opcode == 0x1 and (start := payload.find(CURSOR)) >= 0:
            start += len(CURSOR)
            self.follower.cursor = payload[start : payload.index(b'"', start)].decode()
        elif opcode == 0x8:
            self.follower.closes.append(payload)
            if self.transport is not None:
                self.transport.close()  # no closing handshake: gone at once


class Crowd:
    def __init__(self, url: str, variables_of: dict[int, dict[str, Any]], query: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path
        self.followers = {n: Follower(n, v, query) for n, v in variables_of.items()}
        self.failures: dict[str, int] = {"refused": 0, "reset": 0, "timeout": 0, "busy": 0}

    async def connect(self, follower: Follower) -> None:
        """Connect until subscribed, counting what went wrong on the way. A connection
        given up on is closed, so it never delivers behind the next one's back."""
        loop = asyncio.get_running_loop()
        while True:
            ready: asyncio.Future[None] = loop.create_future()
            closes = len(follower.closes)
            connection = FollowingConnection(follower, f"{self.host}:{self.port}", self.path, ready)
            try:
                await asyncio.wait_for(
                    loop.create_connection(lambda c=connection: c, self.host, self.port),
                    HANDSHAKE_TIMEOUT,
                )
                await asyncio.wait_for(ready, HANDSHAKE_TIMEOUT)
                follower.connection = connection
                return
            except ConnectionRefusedError:
                self.failures["refused"] += 1
            except TimeoutError:
                self.failures["timeout"] += 1
            except (ConnectionError, OSError):
                busy = len(follower.closes) > closes and b"busy" in follower.closes[-1]
                self.failures["busy" if busy else "reset"] += 1
            if connection.transport is not None:
                connection.transport.abort()
            await asyncio.sleep(follower.named_delay() or RETRY_DELAY)

    async def open_all(self, batch: int = 200) -> None:
        followers = list(self.followers.values())
        for start in range(0, len(followers), batch):
            await asyncio.gather(*(self.connect(f) for f in followers[start : start + batch]))

    async def reconnect_all(self, at: float, jitter: bool) -> None:
        async def back(follower: Follower) -> None:
            delay = (follower.named_delay() or 0.0) if jitter else 0.0
            await asyncio.sleep(max(0.0, at + delay - time.time()))
            follower.resubscribed = None
            await self.connect(follower)

        await asyncio.gather(*(back(f) for f in self.followers.values()))

    def report(self) -> dict[str, Any]:
        return {
            "followers": {
                n: {"messages": f.messages, "closes": f.closes, "resubscribed": f.resubscribed}
                for n, f in self.followers.items()
            },
            "failures": self.failures,
        }


async def main(url: str, variables_of: dict[int, dict[str, Any]], query: str, pipe: Any) -> None:
    loop = asyncio.get_running_loop()
    crowd = Crowd(url, variables_of, query)
    await crowd.open_all()
    pipe.send("connected")
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command == "report":
            pipe.send(crowd.report())
            break
        _, at, jitter = command
        await crowd.reconnect_all(at, jitter)
        pipe.send("reconnected")
    for follower in crowd.followers.values():
        if follower.connection is not None and follower.connection.transport is not None:
            follower.connection.transport.close()


def run(url: str, variables_of: dict[int, dict[str, Any]], query: str, pipe: Any) -> None:
    import uvloop

    uvloop.run(main(url, variables_of, query, pipe))
