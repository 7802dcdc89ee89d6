"""Writing ready frames: uvicorn's WebSocket protocol with the ``hub.websocket.frames``
ASGI extension.

:class:`DirectWebSocketProtocol` is uvicorn's websockets sans-I/O implementation plus one
thing: the scope of an accepted WebSocket carries a :class:`FrameChannel` under
``scope["extensions"]["hub.websocket.frames"]``, through which the live service writes
ready text frames straight to the transport — many in one write, synchronously, with no
ASGI message, task or await per message. Everything else (handshake, receiving, ping and
pong, closing, keep-alive) stays uvicorn's, and closing still goes through ASGI. The channel
is offered only when no WebSocket extension (compression) was negotiated, since the frames
are written as they are; without it the service sends through ASGI like any application.

Shutting down, uvicorn first stops accepting, then closes every open WebSocket with 1012 and
no reason, before the application hears of it. Every accepted socket's scope therefore also
carries its channel under ``hub.websocket.shutdown``: the application sets ``on_shutdown``,
called at that moment to finish what it queued and name the close frame (code and reason)
sent instead.

``hub serve`` runs uvicorn with this protocol class (``ws=DirectWebSocketProtocol``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

EXTENSION = "hub.websocket.frames"
SHUTDOWN_EXTENSION = "hub.websocket.shutdown"

CloseFrame = tuple[int, str]


class FrameChannel:
    """The writing end of one WebSocket, for frames made by :mod:`hub.realtime.frames`."""

    __slots__ = ("_protocol", "on_shutdown", "on_writable")

    def __init__(self, protocol: DirectWebSocketProtocol) -> None:
        self._protocol = protocol
        self.on_writable: Callable[[], None] | None = None  # the transport drained
        # the server shuts down: the close frame to send (None: uvicorn's own)
        self.on_shutdown: Callable[[], CloseFrame | None] | None = None

    @property
    def open(self) -> bool:
        protocol = self._protocol
        return not protocol.close_sent and not protocol.disconnected

    @property
    def writable(self) -> bool:
        """Open, and the transport's buffer below its high-water mark."""
        return self._protocol.writable.is_set() and self.open

    def write(self, frames: bytes) -> None:
        if self.open:
            self._protocol.transport.write(frames)


class DirectWebSocketProtocol(WebSocketsSansIOProtocol):
    channel: FrameChannel | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope: dict[str, Any] | None = getattr(self, "scope", None)  # set when acceptable
        if scope is not None:
            self.channel = FrameChannel(self)
            extensions = scope.setdefault("extensions", {})
            extensions[SHUTDOWN_EXTENSION] = self.channel
            if not self.conn.extensions:
                extensions[EXTENSION] = self.channel

    def shutdown(self) -> None:
        """uvicorn's shutdown, with the application's close frame when it names one."""
        channel = self.channel
        frame = None
        if (
            channel is not None
            and channel.on_shutdown is not None
            and self.handshake_complete
            and not self.close_sent
        ):
            frame = channel.on_shutdown()
        if frame is None:
            super().shutdown()
            return
        code, reason = frame
        self.stop_keepalive()
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code})
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.transport.close()  # after what is buffered: the frames, then the close

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.channel is not None and self.channel.on_writable is not None:
            self.channel.on_writable()
