"""Domain errors raised by resolvers and repositories.

Every error carries a stable ``code`` (an ``ErrorCode``), a human message and, for bad input,
the ``field`` it concerns (a dotted path of the GraphQL input, e.g. ``quotedPeople.0.quote``).
The GraphQL layer maps them to ``UserError`` payload entries (mutations) or GraphQL errors
with ``extensions.code`` (queries). ``InputErrors`` bundles several field errors so a client
learns everything wrong with its input at once. No GraphQL import here.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    FORBIDDEN = "FORBIDDEN"
    OWN_ARTICLE = "OWN_ARTICLE"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    INVALID_INPUT = "INVALID_INPUT"
    REQUIRED = "REQUIRED"
    TOO_SHORT = "TOO_SHORT"
    TOO_LONG = "TOO_LONG"
    INVALID_FORMAT = "INVALID_FORMAT"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    DUPLICATE = "DUPLICATE"
    DATES_OUT_OF_ORDER = "DATES_OUT_OF_ORDER"
    LAST_ADMIN = "LAST_ADMIN"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"


class HubError(Exception):
    """Base of every expected (non-bug) failure."""

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(
        self, message: str, *, field: str | None = None, code: ErrorCode | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(HubError):
    code = ErrorCode.NOT_FOUND


class Forbidden(HubError):
    code = ErrorCode.FORBIDDEN


class Unauthenticated(HubError):
    code = ErrorCode.UNAUTHENTICATED


class Conflict(HubError):
    code = ErrorCode.CONFLICT


class InvalidTransition(HubError):
    code = ErrorCode.INVALID_TRANSITION


class InvalidInput(HubError):
    code = ErrorCode.INVALID_INPUT


class InputErrors(HubError):
    """Several problems with one input; ``errors`` lists them in input order."""

    def __init__(self, errors: Sequence[HubError]) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        super().__init__(errors[0].message, field=errors[0].field, code=errors[0].code)
        self.errors = list(errors)


def flatten(error: HubError) -> list[HubError]:
    """The individual errors of ``error`` (itself, or the members of an ``InputErrors``)."""
    return error.errors if isinstance(error, InputErrors) else [error]


class CursorExpired(HubError):
    """A resume cursor older than the retention window: the client must resync."""

    code = ErrorCode.CURSOR_EXPIRED


class RateLimited(HubError):
    """Too many attempts (failed logins, requests, password checks waiting): try again after
    ``retry_after`` seconds."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, retry_after)
