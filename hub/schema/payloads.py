"""What every mutation returns: its result and ``errors: [UserError!]!``.

Expected failures (not allowed, not found, stale version, illegal transition, bad input) are
data, not GraphQL errors: ``attempt`` runs a resolver and turns any ``HubError`` into user
errors carrying the field path, a stable ``ErrorCode`` and a message. Unexpected exceptions
still propagate (masked and logged by the schema).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import strawberry

from hub.errors import ErrorCode, HubError, RateLimited, flatten

T = TypeVar("T")

strawberry.enum(
    ErrorCode,
    description=(
        "Why a mutation did nothing. UNAUTHENTICATED: no credentials; FORBIDDEN: not allowed; "
        "OWN_ARTICLE: four-eyes rule; NOT_FOUND: missing or not visible; CONFLICT: stale "
        "`version`; INVALID_TRANSITION: not allowed from the current status; RATE_LIMITED: too "
        "many attempts, wait `retryAfter` seconds; the rest: bad input."
    ),
)


@strawberry.type(description="A problem that stopped a mutation; nothing was changed.")
class UserError:
    field: str | None = strawberry.field(
        description="Path of the input field at fault, e.g. `quotedPeople.0.quote`; null when "
        "the problem is not one field's."
    )
    code: ErrorCode = strawberry.field(description="Stable, machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation.")
    retry_after: int | None = strawberry.field(
        default=None,
        description="RATE_LIMITED: seconds to wait before trying again (also `Retry-After`).",
    )


def user_errors(error: HubError) -> list[UserError]:
    return [
        UserError(
            field=item.field,
            code=item.code,
            message=item.message,
            retry_after=item.retry_after if isinstance(item, RateLimited) else None,
        )
        for item in flatten(error)
    ]


async def attempt(call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a resolver: ``(result, [])`` or ``(None, errors)`` when it refused."""
    try:
        return await call, []
    except HubError as error:
        return None, user_errors(error)


def all_fields(data: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every field of a create input (absent optional fields are null or empty)."""
    return {
        field.name: getattr(data, field.name)
        for field in dataclasses.fields(data)
        if field.name not in skip
    }


UNCHANGED_ON_NULL = "hub.unchanged_on_null"
UNCHANGED_NOTE = "Null or left out: unchanged."


def unchanged_on_null(description: str | None = None, *, directives: Sequence[object] = ()) -> Any:
    """An update input field (``Maybe[T | None]``) that cannot be cleared: null, like leaving
    it out, keeps the current value. The SDL says so (the field is nullable; its description
    ends with the note)."""
    return strawberry.field(
        description=f"{description} {UNCHANGED_NOTE}" if description else UNCHANGED_NOTE,
        directives=list(directives),
        metadata={UNCHANGED_ON_NULL: True},
    )


def given_fields(data: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``Maybe`` fields of an update input the client gave (null included, except where
    null means unchanged: :func:`unchanged_on_null`); an absent field is left unchanged."""
    return {
        field.name: value.value
        for field in dataclasses.fields(data)
        if field.name not in skip
        and isinstance(value := getattr(data, field.name), strawberry.Some)
        and not (value.value is None and field.metadata.get(UNCHANGED_ON_NULL))
    }
