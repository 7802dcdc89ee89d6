"""One WebSocket connection's outgoing side: a bounded queue drained by a short-lived task.

``deliver`` appends a message and, when the connection has no flusher running, starts one
that sends until the queue is empty and then exits: an idle connection holds no task and
no queue. A queue at its limit means the client reads slower than changes arrive; the
connection is then closed with 1013 (try again later) and a reason, and the client resumes
from the last cursor it received. Closing clears what was queued (the client never saw
it) and sends the close frame next.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hub.realtime.subscriber import Subscriber

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"

SLOW_CONSUMER = (1013, "slow consumer: reconnect and resume from your last cursor")
SERVICE_RESTART = (1012, "server restart: reconnect and resume from your last cursor")

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
CloseFrame = tuple[int, str]

MAX_CLOSE_REASON_BYTES = 123  # what fits in a close frame besides the code


def close_reason(text: str) -> str:
    """``text`` shortened to fit a close frame (cut at a character boundary)."""
    encoded = text.encode()
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return text
    return encoded[: MAX_CLOSE_REASON_BYTES - 3].decode(errors="ignore") + "..."


class LiveConnection:
    __slots__ = (
        "__weakref__",
        "authorization",
        "closing",
        "drained",
        "flusher",
        "heard",
        "initialised",
        "limit",
        "on_close",
        "ping_outstanding",
        "protocol",
        "queue",
        "send",
        "subscriptions",
    )

    def __init__(
        self,
        *,
        send: Send,
        protocol: str,
        limit: int,
        on_close: Callable[[LiveConnection], None],
    ) -> None:
        self.send = send
        self.protocol = protocol
        self.limit = limit
        self.on_close = on_close
        self.subscriptions: dict[str, Subscriber] = {}
        self.queue: deque[str | CloseFrame] | None = None
        self.flusher: asyncio.Task[None] | None = None
        self.drained: asyncio.Event | None = None
        self.closing = False
        self.initialised = False
        self.authorization: str | None = None  # the credential of connection_init
        self.heard = True
        self.ping_outstanding = False

    # -- the Sink side (called by the broker) ------------------------------------------------

    def deliver(self, subscriber: Subscriber, payload: str) -> bool:
        kind = "next" if self.protocol == TRANSPORT_WS else "data"
        operation_id = json.dumps(subscriber.operation_id)
        return self.push(f'{{"id":{operation_id},"type":"{kind}","payload":{payload}}}')

    def end(self, subscriber: Subscriber, errors: list[dict[str, Any]]) -> None:
        if self.subscriptions.get(subscriber.operation_id) is subscriber:
            del self.subscriptions[subscriber.operation_id]
            self.send_json({"id": subscriber.operation_id, "type": "error", "payload": errors})

    def fall_behind(self) -> None:
        self.close(*SLOW_CONSUMER)

    async def writable(self) -> None:
        while not self.closing and self.queue is not None and len(self.queue) >= self.limit // 2:
            if self.drained is None:
                self.drained = asyncio.Event()
            self.drained.clear()
            await self.drained.wait()

    # -- sending -----------------------------------------------------------------------------

    def send_json(self, message: dict[str, Any]) -> bool:
        return self.push(json.dumps(message, separators=(",", ":")))

    def push(self, message: str) -> bool:
        if self.closing:
            return False
        queue = self.queue
        if queue is None:
            queue = self.queue = deque()
        elif len(queue) >= self.limit:
            self.fall_behind()
            return False
        queue.append(message)
        if self.flusher is None:
            self.flusher = asyncio.get_running_loop().create_task(self._flush())
        return True

    def close(self, code: int, reason: str, *, after_queued: bool = False) -> None:
        """Stop all subscriptions and send a close frame after the message in flight (or,
        ``after_queued``, after every message queued so far)."""
        if self.closing:
            return
        self.closing = True
        self.on_close(self)
        frame = (code, close_reason(reason))
        if after_queued and self.queue:
            self.queue.append(frame)
        else:
            self.queue = deque([frame])
        if self.drained is not None:
            self.drained.set()
        if self.flusher is None:
            self.flusher = asyncio.get_running_loop().create_task(self._flush())

    def abandon(self) -> None:
        """The peer is gone: drop everything, send nothing more."""
        if not self.closing:
            self.closing = True
            self.on_close(self)
        self.queue = None
        if self.drained is not None:
            self.drained.set()

    async def finished(self) -> None:
        """Wait until the flusher has sent what it could (e.g. the close frame)."""
        flusher = self.flusher
        if flusher is not None:
            await asyncio.shield(flusher)

    async def _flush(self) -> None:
        try:
            while self.queue:
                item = self.queue.popleft()
                if isinstance(item, tuple):
                    code, reason = item
                    await self.send({"type": "websocket.close", "code": code, "reason": reason})
                    self.queue = None
                    return
                await self.send({"type": "websocket.send", "text": item})
                if self.drained is not None and len(self.queue or ()) < self.limit // 2:
                    self.drained.set()
        except (OSError, RuntimeError):
            self.abandon()
        finally:
            self.flusher = None
            if not self.queue:
                self.queue = None

    # -- keep-alive --------------------------------------------------------------------------

    def keep_alive(self) -> None:
        """Called periodically: ping (or ``ka``); close when the last ping went unanswered."""
        if self.closing or not self.initialised:
            return
        if self.protocol == LEGACY_WS:
            self.push('{"type":"ka"}')
            return
        if self.ping_outstanding and not self.heard:
            self.close(1011, "keep-alive timeout: no pong received")
            return
        self.ping_outstanding = True
        self.heard = False
        self.push('{"type":"ping"}')
