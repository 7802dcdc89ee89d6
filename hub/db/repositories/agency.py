"""Agency queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Agency


async def list_agencies(session: AsyncSession, *, limit: int) -> list[Agency]:
    statement = select(Agency).order_by(Agency.name, Agency.id).limit(limit)
    return list((await session.scalars(statement)).all())


async def get_by_slug(session: AsyncSession, *, slug: str) -> Agency | None:
    return (await session.scalars(select(Agency).where(Agency.slug == slug))).one_or_none()
