"""One live subscription: where it delivers, what it follows, and how far it has got.

A subscriber is *replaying* (catching up from its ``after`` cursor up to ``target``, the
broker's position when it joined; live changes past ``target`` wait in ``pending``) or
*live* (the broker hands it every matching change past ``position``). ``authorize``, when
set, is awaited before each delivery (once per run of deliveries queued behind it, in
``gate``); raising a :class:`~hub.errors.HubError` (e.g. ``UNAUTHENTICATED`` once the token
expired or the login session ended, ``FORBIDDEN`` once the role was removed) ends the
subscription with that error, and nothing more is delivered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol

from hub.realtime.cursor import Position
from hub.realtime.filters import Filter
from hub.realtime.frames import Rendered

Authorize = Callable[[], Awaitable[None]]


class Sink(Protocol):
    """The connection a subscriber delivers to."""

    def deliver(self, subscriber: Subscriber, rendered: Rendered) -> bool:
        """Queue one rendered result; False when the connection is closing."""
        ...

    def end(self, subscriber: Subscriber, errors: list[dict[str, Any]]) -> None:
        """Finish the subscription with errors (the connection stays open)."""
        ...

    def fall_behind(self) -> None:
        """The subscriber cannot keep up: close with a retryable code so it resumes."""
        ...

    async def writable(self) -> None:
        """Return once the queue has room (replay waits here instead of overflowing)."""
        ...

    def room(self) -> int:
        """How many more messages the connection takes now without waiting."""
        ...


class Subscriber:
    __slots__ = (
        "active",
        "authorize",
        "filter",
        "gate",
        "live",
        "operation_id",
        "pending",
        "position",
        "prefix",
        "selection",
        "sink",
        "target",
    )

    def __init__(
        self,
        *,
        sink: Sink,
        operation_id: str,
        filter: Filter,
        selection: Hashable,
        authorize: Authorize | None = None,
        prefix: bytes = b"",
    ) -> None:
        self.sink = sink
        self.prefix = prefix  # the protocol message around its payloads (see frames)
        self.operation_id = operation_id
        self.filter = filter
        self.selection = selection
        self.authorize = authorize
        self.position: Position = (0, 0)
        self.target: Position = (0, 0)
        self.pending: list[tuple[Position, Rendered]] | None = None
        self.gate: list[Rendered] | None = None  # waiting for the authorization check
        self.live = False
        self.active = True

    def __repr__(self) -> str:
        return f"<Subscriber {self.operation_id!r} {self.filter!r} at {self.position}>"
