"""Insert a row under a unique slug, safely under concurrency.

A slug the client chose must be free (``DUPLICATE`` otherwise). A generated one is the first
free variant of a base (``base``, ``base-2``, ...); when a concurrent transaction takes it
between the check and the insert, the insert is retried with the next free variant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.db.repositories import lookup
from hub.errors import ErrorCode, HubError

ATTEMPTS = 5


async def insert_with_slug(
    session: AsyncSession,
    row: Any,
    column: InstrumentedAttribute[str],
    *,
    base: str | None,
    noun: str,
) -> None:
    """Add ``row``: with its own ``slug`` when ``base`` is None, else a free variant of it."""
    constraint = f"uq_{column.class_.__tablename__}_{column.key}"
    for _ in range(ATTEMPTS):
        if base is not None:
            row.slug = await lookup.free_slug(session, column, base)
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
            return
        except IntegrityError as error:
            if constraint not in str(error.orig):
                raise
            if base is None:
                raise HubError(
                    f"{noun} `{row.slug}` already exists", field="slug", code=ErrorCode.DUPLICATE
                ) from None
    raise HubError(  # pragma: no cover - needs ATTEMPTS concurrent creates of one title
        f"could not find a free slug for this {noun}; give one", field="slug",
        code=ErrorCode.DUPLICATE,
    )  # fmt: skip
