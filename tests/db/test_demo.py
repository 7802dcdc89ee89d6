"""Demo content loads once and only once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.demo import load_demo_content
from hub.db.models import Agency, Article, Event, EventSpeaker


async def test_demo_loads_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        assert await load_demo_content(session) is True
    async with sessions() as session, session.begin():
        assert await load_demo_content(session) is False

    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 1
        assert await session.scalar(select(func.count()).select_from(Article)) == 2
        assert await session.scalar(select(func.count()).select_from(EventSpeaker)) == 5
        slugs = set((await session.scalars(select(Agency.slug))).all())
        assert {
            "diskominfo-kaltim",
            "diskominfo-kukar",
            "humas-polda-kaltim",
            "bawaslu-kaltim",
            "kaltim-post",
            "poskaltim-id",
        } <= slugs
