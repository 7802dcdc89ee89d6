"""Region queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Region


async def list_regions(
    session: AsyncSession, *, level: str | None = None, parent_code: str | None = None
) -> list[Region]:
    statement = select(Region).order_by(Region.code)
    if level is not None:
        statement = statement.where(Region.level == level)
    if parent_code is not None:
        statement = statement.where(Region.parent_code == parent_code)
    return list((await session.scalars(statement)).all())


async def get_by_code(session: AsyncSession, *, code: str) -> Region | None:
    return await session.get(Region, code)
