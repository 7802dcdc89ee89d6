"""What the transport needs from the GraphQL layer, without importing it.

The schema layer implements :class:`Gateway`: ``authenticate`` checks the credential a
connection presents in ``connection_init``; ``prepare`` parses, validates and (for a
subscription) runs the root field's resolver as the connection's viewer (authenticated
again from that credential), which returns a :class:`StreamRequest`; ``render`` executes
a subscription's selection for changes, once per distinct selection.

A transport that knows where a client got to (an event stream's ``Last-Event-ID``, the
cursors a WebSocket client sends in ``connection_init``) passes ``resume``: given the
operation's name, the cursor to resume after, or ``None``. A subscription then resumes after
the later of that cursor and its own ``after`` argument, so a stock client's retry, which
sends the original request again, neither repeats nor loses anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hub.realtime.changes import Change
from hub.realtime.cursor import Position
from hub.realtime.filters import Filter
from hub.realtime.frames import Rendered
from hub.realtime.subscriber import Authorize, Sink, Subscriber

Resume = Callable[[str | None], str | None]  # operation name -> cursor to resume after


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """What a subscription resolver asks for: changes matching ``filter`` after ``after``
    (``None``: from now on), each delivery re-checked by ``authorize`` when given. Served
    by the broker, not iterated."""

    filter: Filter
    after: Position | None
    authorize: Authorize | None = None

    def __aiter__(self) -> AsyncIterator[Any]:
        raise RuntimeError("live streams are served by the live service (WebSocket, SSE)")


@dataclass(frozen=True, slots=True)
class Rejected:
    """The operation failed before it started: GraphQL errors for an ``error`` message."""

    errors: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SingleResult:
    """A query or mutation sent over the socket: one serialized result."""

    payload: str


@dataclass(frozen=True, slots=True)
class LiveStart:
    request: StreamRequest
    selection: Hashable  # equal selections render identically: one execution per group

    def subscriber(self, sink: Sink, operation_id: str, prefix: bytes = b"") -> Subscriber:
        """The subscriber that serves this stream to ``sink``."""
        return Subscriber(
            sink=sink,
            operation_id=operation_id,
            filter=self.request.filter,
            selection=self.selection,
            authorize=self.request.authorize,
            prefix=prefix,
        )


class RenderFailed(Exception):
    """Rendering hit an unexpected error (e.g. the database went away); retry later."""


class Gateway(Protocol):
    async def authenticate(self, authorization: str | None) -> Rejected | None:
        """``None`` when the credential (``Bearer ...``; ``None``: anonymous) is good."""
        ...

    async def prepare(
        self,
        payload: Mapping[str, Any],
        authorization: str | None,
        client_address: str | None = None,
        *,
        resume: Resume | None = None,
        mutations: bool = True,
    ) -> Rejected | SingleResult | LiveStart:
        """``client_address``: what per-address limits count against (e.g. a login's);
        ``mutations``: False refuses them (a GET request)."""
        ...

    async def render(
        self, jobs: Sequence[tuple[Hashable, Change]], *, tolerate_errors: bool
    ) -> dict[tuple[Hashable, Position], Rendered]:
        """One serialized ``{data, errors}`` per job. Unexpected errors raise
        :class:`RenderFailed` unless ``tolerate_errors`` (then they are masked)."""
        ...
