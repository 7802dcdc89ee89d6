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

``hub serve`` runs uvicorn with this protocol class (``ws=DirectWebSocketProtocol``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

EXTENSION = "hub.websocket.frames"


class FrameChannel:
    """The writing end of one WebSocket, for frames made by :mod:`hub.realtime.frames`."""

    __slots__ = ("_protocol", "on_writable")

    def __init__(self, protocol: DirectWebSocketProtocol) -> None:
        self._protocol = protocol
        self.on_writable: Callable[[], None] | None = None  # the transport drained

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
        if scope is not None and not self.conn.extensions:
            self.channel = FrameChannel(self)
            scope.setdefault("extensions", {})[EXTENSION] = self.channel

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.channel is not None and self.channel.on_writable is not None:
            self.channel.on_writable()
