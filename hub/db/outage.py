"""Telling "the database is unreachable" apart from every other failure.

``is_unavailable(error)`` is true when ``error`` (or what caused it) means the database cannot
be used right now: a connection could not be opened (refused, timed out: raised as
:class:`DatabaseUnreachable` by :func:`connect`, the engine's connect function), a pooled
connection was lost mid-request, the server is shutting down, starting up or out of
connection slots, or the pool had no connection to hand out in time. Callers answer those
with ``SERVICE_UNAVAILABLE`` (HTTP 503 and ``Retry-After``) instead of an internal error; a
statement that fails for any other reason (a bug, a cancelled query) is not an outage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
from sqlalchemy import exc

ERROR_CODE = "SERVICE_UNAVAILABLE"
MESSAGE = "The database is unavailable; try again shortly"
RETRY_AFTER_SECONDS = 5
"""What an outage answer asks clients to wait: the pool and the listener reconnect within it."""


class DatabaseUnreachable(Exception):
    """A new database connection could not be opened (refused, unreachable, timed out)."""


UNAVAILABLE = (
    DatabaseUnreachable,
    exc.TimeoutError,  # no pooled connection free in time
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08: connection exceptions
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,  # starting up, shutting down, in recovery
    asyncpg.TooManyConnectionsError,
)


async def connect(*args: Any, **kwargs: Any) -> Any:
    """``asyncpg.connect`` whose network failures are :class:`DatabaseUnreachable`.

    A refused or timed-out connection otherwise surfaces as a bare ``OSError`` or
    ``TimeoutError``, which cannot be told from other errors of those types.
    """
    try:
        return await asyncpg.connect(*args, **kwargs)
    except (OSError, TimeoutError) as error:
        raise DatabaseUnreachable(f"cannot connect to the database: {error}") from error


def is_unavailable(error: BaseException) -> bool:
    return any(
        isinstance(current, UNAVAILABLE)
        or (isinstance(current, exc.DBAPIError) and current.connection_invalidated)
        for current in causes(error)
    )


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps: causes, contexts, a driver's original error."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__, getattr(current, "orig", None)]
