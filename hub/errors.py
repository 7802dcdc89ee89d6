"""Domain errors raised by resolvers and repositories.

They carry a stable ``code`` and a human message; the GraphQL layer maps them to
``UserError`` payload entries (mutations) or GraphQL errors with ``extensions.code``
(queries). No GraphQL import here.
"""

from __future__ import annotations


class HubError(Exception):
    """Base of every expected (non-bug) failure."""

    code = "ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(HubError):
    code = "NOT_FOUND"


class Forbidden(HubError):
    code = "FORBIDDEN"


class Unauthenticated(HubError):
    code = "UNAUTHENTICATED"


class Conflict(HubError):
    code = "CONFLICT"


class InvalidTransition(HubError):
    code = "INVALID_TRANSITION"


class InvalidInput(HubError):
    code = "INVALID_INPUT"


class CursorExpired(HubError):
    """A resume cursor older than the retention window: the client must resync."""

    code = "CURSOR_EXPIRED"
