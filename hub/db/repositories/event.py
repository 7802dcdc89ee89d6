"""Event queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import Event


async def list_events(session: AsyncSession, *, limit: int) -> list[Event]:
    statement = select(Event).order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)
    return list((await session.scalars(statement)).all())


async def get_by_slug(session: AsyncSession, *, slug: str) -> Event | None:
    return (await session.scalars(select(Event).where(Event.slug == slug))).one_or_none()
