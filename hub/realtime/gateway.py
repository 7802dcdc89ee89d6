"""What the transport needs from the GraphQL layer, without importing it.

The schema layer implements :class:`Gateway`: ``authenticate`` checks the credential a
connection presents in ``connection_init``; ``prepare`` parses, validates and (for a
subscription) runs the root field's resolver as the connection's viewer (authenticated
again from that credential), which returns a :class:`StreamRequest`; ``render`` executes
a subscription's selection for changes, once per distinct selection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hub.realtime.changes import Change
from hub.realtime.cursor import Position
from hub.realtime.filters import Filter
from hub.realtime.frames import Rendered
from hub.realtime.subscriber import Authorize


@dataclass(frozen=True, slots=True)
class StreamRequest:
    """What a subscription resolver asks for: changes matching ``filter`` after ``after``
    (``None``: from now on), each delivery re-checked by ``authorize`` when given. Served
    by the broker, not iterated."""

    filter: Filter
    after: Position | None
    authorize: Authorize | None = None

    def __aiter__(self) -> AsyncIterator[Any]:
        raise RuntimeError("live streams are served over WebSocket at /graphql")


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
    ) -> Rejected | SingleResult | LiveStart:
        """``client_address``: what per-address limits count against (e.g. a login's)."""
        ...

    async def render(
        self, jobs: Sequence[tuple[Hashable, Change]], *, tolerate_errors: bool
    ) -> dict[tuple[Hashable, Position], Rendered]:
        """One serialized ``{data, errors}`` per job. Unexpected errors raise
        :class:`RenderFailed` unless ``tolerate_errors`` (then they are masked)."""
        ...
