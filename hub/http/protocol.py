"""uvicorn's HTTP protocol (httptools) with a deadline for a request's headers.

uvicorn closes a keep-alive connection that stays idle between requests, but a connection that
sends a request's headers slowly — a byte every few seconds, never finishing (slow loris) — is
held open for ever: every byte cancels the idle timer. Here a connection must complete each
request's headers within ``HUB_HTTP_HEADER_TIMEOUT`` seconds of opening, or of its previous
response; otherwise it is answered 408 (when part of a request had arrived) and closed. The
body has its own deadline, ``HUB_HTTP_BODY_TIMEOUT``, kept by the ``/graphql`` endpoint that
reads it (408 with a GraphQL-shaped body). ``hub serve`` runs uvicorn with this protocol.

uvicorn lets a response in progress finish before it shuts down, and tells the application
nothing: a response that never ends on its own (an event stream) would hold the shutdown
until its grace period ran out. Each request's scope therefore carries, under
``scope["extensions"]["hub.http.shutdown"]``, an :class:`asyncio.Event` set when the server
begins to shut down, so such a response can end at once.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from hub.settings import Settings

SHUTDOWN = "hub.http.shutdown"  # the ASGI extension: an asyncio.Event set on shutdown

REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 36\r\n\r\nThe request headers did not arrive.\n"
)


@functools.cache
def header_timeout() -> float:
    """The process's setting (read once; worker processes get it from ``HUB_*`` like the app)."""
    return Settings().http_header_timeout


class HubHttpProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._partial = False  # bytes of a request whose headers are not complete yet
        self._shutting_down = asyncio.Event()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._header_deadline is not None:
            self._partial = True
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._disarm()
        extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
        extensions[SHUTDOWN] = self._shutting_down
        super().on_headers_complete()

    def shutdown(self) -> None:
        self._shutting_down.set()
        super().shutdown()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        idle = self.cycle is None or self.cycle.response_complete  # no pipelined request
        if idle and not self.transport.is_closing():
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._partial = False
        self._header_deadline = self.loop.call_later(header_timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self._partial:
            self.transport.write(REQUEST_TIMEOUT)
        self.transport.close()
