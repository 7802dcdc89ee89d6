"""Resolve references given by natural key (slug, code) in one statement per kind.

Used by writes to turn input slugs/codes into ids and to report the unknown ones; also picks
a free slug for a new row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

K = TypeVar("K")
M = TypeVar("M")


async def values_by_key(
    session: AsyncSession,
    key: InstrumentedAttribute[K],
    value: InstrumentedAttribute[Any],
    keys: Iterable[K],
) -> dict[K, Any]:
    """``{key: value}`` for the keys that exist (``value`` is e.g. the id column)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = await session.execute(select(key, value).where(key.in_(wanted)))
    return {found_key: found_value for found_key, found_value in rows}


async def by_key(session: AsyncSession, model: type[M], column: Any, value: Any) -> M | None:
    return (await session.scalars(select(model).where(column == value))).one_or_none()


async def free_slug(session: AsyncSession, column: InstrumentedAttribute[str], base: str) -> str:
    """``base`` or the first of ``base-2``, ``base-3``, ... not taken in ``column``."""
    taken = set(
        (
            await session.scalars(select(column).where((column == base) | column.like(f"{base}-%")))
        ).all()
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
