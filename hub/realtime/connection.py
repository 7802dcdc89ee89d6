"""One WebSocket connection's outgoing side: a bounded queue, written out in batches.

With a :class:`~hub.realtime.direct.FrameChannel` (``hub serve``), messages are ready
frames: a connection with frames queued joins the process's :class:`PendingWrites`, which
at the end of the event-loop turn writes each such connection's frames in one write,
straight to the transport — no task, no ASGI message, no await per message. Without a
channel (another ASGI server), a short-lived task sends the queued messages one ASGI
message at a time and exits when the queue is empty. Either way an idle connection holds
no task and no queue.

The queue is what the transport cannot take yet: at its limit, the client reads slower
than changes arrive, and the connection is closed with 1013 (try again later) and a
reason; the client resumes from the last cursor it received. Closing goes through ASGI
(``websocket.close``) after the messages still queued when ``after_queued``, otherwise
right after the message in flight (the client never saw the rest).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hub.realtime.direct import CloseFrame, FrameChannel
from hub.realtime.frames import Rendered, text_frame
from hub.realtime.subscriber import Subscriber

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"

SLOW_CONSUMER = (1013, "slow consumer: reconnect and resume from your last cursor")
SERVICE_RESTART = 1012


def restart_reason(delay: float) -> str:
    """The 1012 close reason: when to reconnect (clients wait that long, so a restart's
    reconnects come back spread out), and how."""
    return f"server restart: reconnect in {delay:.1f} s and resume from your last cursor"


Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Outgoing = bytes | str | CloseFrame  # a frame (with a channel), a text message, the close

MAX_CLOSE_REASON_BYTES = 123  # what fits in a close frame besides the code
WRITE_SLICE = 250  # connections written between two looks at other I/O


def close_reason(text: str) -> str:
    """``text`` shortened to fit a close frame (cut at a character boundary)."""
    encoded = text.encode()
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return text
    return encoded[: MAX_CLOSE_REASON_BYTES - 3].decode(errors="ignore") + "..."


class PendingWrites:
    """Connections with frames queued; written at the end of the event-loop turn by one
    callback (one ``call_soon`` per turn, not per connection), ``WRITE_SLICE`` connections
    at a time: between slices the loop handles I/O (the database answering the next
    change's reads, an approval in progress), so a large fan-out does not hold them up."""

    def __init__(self) -> None:
        self._connections: deque[LiveConnection] = deque()

    def add(self, connection: LiveConnection) -> None:
        if not self._connections:
            asyncio.get_running_loop().call_soon(self._write)
        self._connections.append(connection)

    def _write(self) -> None:
        connections = self._connections
        for _ in range(min(WRITE_SLICE, len(connections))):
            connections.popleft().write_frames()
        if connections:
            asyncio.get_running_loop().call_soon(self._write)


class LiveConnection:
    __slots__ = (
        "__weakref__",
        "authorization",
        "channel",
        "closing",
        "drained",
        "flusher",
        "heard",
        "initialised",
        "keep_alive_at",
        "limit",
        "next_kind",
        "on_close",
        "ping_outstanding",
        "protocol",
        "queue",
        "send",
        "subscriptions",
        "write_scheduled",
        "writes",
    )

    def __init__(
        self,
        *,
        send: Send,
        protocol: str,
        limit: int,
        on_close: Callable[[LiveConnection], None],
        channel: FrameChannel | None = None,
        writes: PendingWrites | None = None,
        keep_alive_interval: float = 0.0,
    ) -> None:
        self.send = send
        self.protocol = protocol
        self.next_kind = "next" if protocol == TRANSPORT_WS else "data"
        self.limit = limit
        self.on_close = on_close
        self.channel = channel
        self.writes = writes or PendingWrites()
        if channel is not None:
            channel.on_writable = self._writable_again
        self.subscriptions: dict[str, Subscriber] = {}
        self.queue: deque[Outgoing] | None = None
        self.flusher: asyncio.Task[None] | None = None
        self.write_scheduled = False
        self.drained: asyncio.Event | None = None
        self.closing = False
        self.initialised = False
        self.authorization: str | None = None  # the credential of connection_init
        self.heard = True
        self.ping_outstanding = False
        self.keep_alive_at = time.monotonic() + keep_alive_interval

    # -- the Sink side (called by the broker) ------------------------------------------------

    def deliver(self, subscriber: Subscriber, rendered: Rendered) -> bool:
        if self.channel is not None:
            return self._push(rendered.frame(subscriber.prefix))
        return self._push(rendered.text(subscriber.prefix))

    def end(self, subscriber: Subscriber, errors: list[dict[str, Any]]) -> None:
        if self.subscriptions.get(subscriber.operation_id) is subscriber:
            del self.subscriptions[subscriber.operation_id]
            self.send_json({"id": subscriber.operation_id, "type": "error", "payload": errors})

    def fall_behind(self) -> None:
        self.close(*SLOW_CONSUMER)

    def room(self) -> int:
        if self.closing:
            return 0
        return max(0, self.limit // 2 - len(self.queue or ()))

    async def writable(self) -> None:
        while not self.closing and self.queue is not None and len(self.queue) >= self.limit // 2:
            if self.drained is None:
                self.drained = asyncio.Event()
            self.drained.clear()
            await self.drained.wait()

    # -- sending -----------------------------------------------------------------------------

    def send_json(self, message: dict[str, Any]) -> bool:
        return self.send_text(json.dumps(message, separators=(",", ":")))

    def send_text(self, text: str) -> bool:
        if self.channel is not None:
            return self._push(text_frame(text.encode()))
        return self._push(text)

    def _push(self, message: bytes | str) -> bool:
        if self.closing:
            return False
        queue = self.queue
        if queue is None:
            queue = self.queue = deque()
        elif len(queue) >= self.limit:
            self.fall_behind()
            return False
        queue.append(message)
        if self.flusher is None and not self.write_scheduled:
            self._schedule()
        return True

    def _schedule(self) -> None:
        channel = self.channel
        if channel is None:
            self.flusher = asyncio.get_running_loop().create_task(self._flush())
        elif channel.writable:  # else the channel calls back once the transport drained
            self.write_scheduled = True
            self.writes.add(self)

    def write_frames(self) -> None:
        """Everything queued this turn, in one write (direct mode, not closing)."""
        self.write_scheduled = False
        queue, channel = self.queue, self.channel
        if self.flusher is not None or not queue or channel is None or not channel.writable:
            return
        channel.write(b"".join(queue) if len(queue) > 1 else queue[0])  # type: ignore[arg-type]
        self.queue = None
        if self.drained is not None:
            self.drained.set()

    def _writable_again(self) -> None:
        if self.queue and self.flusher is None and not self.write_scheduled:
            self._schedule()

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

    def shut_down(self, frame: CloseFrame) -> CloseFrame | None:
        """The server is shutting down this socket now: what is queued goes out (frames
        straight to the transport; with no channel it is dropped: the client resumes from
        its cursor), and ``frame`` is the close to send. ``None`` when already closing."""
        if self.closing:
            return None
        queue, channel = self.queue, self.channel
        if channel is not None and queue and self.flusher is None:
            channel.write(b"".join(item for item in queue if isinstance(item, bytes)))
        self.closing = True
        self.on_close(self)
        self.queue = None
        if self.drained is not None:
            self.drained.set()
        return frame

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
                if isinstance(item, bytes):
                    assert self.channel is not None  # frames are queued for a channel only
                    self.channel.write(item)
                else:
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

    def keep_alive(self, now: float, interval: float) -> None:
        """Called often: when due, ping (or ``ka``); close when the last ping went
        unanswered. Each connection is due ``interval`` after it opened, then every
        ``interval``: pings are spread over time rather than sent to all at once."""
        if now < self.keep_alive_at or self.closing:
            return
        self.keep_alive_at = now + interval
        if not self.initialised:
            return
        if self.protocol == LEGACY_WS:
            self.send_text('{"type":"ka"}')
            return
        if self.ping_outstanding and not self.heard:
            self.close(1011, "keep-alive timeout: no pong received")
            return
        self.ping_outstanding = True
        self.heard = False
        self.send_text('{"type":"ping"}')
