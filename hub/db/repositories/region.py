"""Region queries: look-ups, lists in code order, subtree conditions for other tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.keyset import Ordering
from hub.db.models import Region

BY_CODE = Ordering("code", (Region.code,), False, (str,))


def in_subtree(column: Any, code: Any) -> ColumnElement[bool]:
    """``column`` holds ``code`` or a code below it (descendants extend the code after a dot).

    ``code`` is a string or a SQL expression (the key column of a nested list).
    """
    if isinstance(code, str):
        code = literal(code, String())
    condition: ColumnElement[bool] = or_(column == code, column.like(code.concat(".%")))
    return condition


def statement(*, level: str | None = None, parent_code: str | None = None) -> Select[Any]:
    query = select(Region)
    if level is not None:
        query = query.where(Region.level == level)
    if parent_code is not None:
        query = query.where(Region.parent_code == parent_code)
    return query


async def subtree_codes(session: AsyncSession, *, code: str) -> list[str]:
    """``code`` and the codes below it, or ``[]`` when the region does not exist."""
    rows = await session.scalars(
        select(Region.code).where(in_subtree(Region.code, code)).order_by(Region.code)
    )
    codes = list(rows.all())
    return codes if code in codes else []


async def get_by_code(session: AsyncSession, *, code: str) -> Region | None:
    return await session.get(Region, code)
