"""Outbox rows carry what subscription filters need, and NOTIFY fires only on commit."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import Article
from hub.db.repositories import outbox
from hub.vocabulary import OutboxKind
from tests.postgres import connect_kwargs


async def test_article_change_row_and_notify_on_commit(
    demo: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    listener = await asyncpg.connect(**connect_kwargs(make_url(demo)))  # type: ignore[arg-type]
    received: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(outbox.CHANNEL, lambda *args: received.put_nowait(args[-1]))
    try:
        async with sessions() as session, session.begin():
            article = (
                await session.scalars(select(Article).where(Article.slug.like("diskominfo-kukar%")))
            ).one()
            entry = await outbox.record_article_change(
                session, article=article, kind=OutboxKind.ARTICLE_CORRECTED
            )
            await asyncio.sleep(0.2)
            assert received.empty(), "NOTIFY must not be delivered before commit"
        assert await asyncio.wait_for(received.get(), 5) == str(entry.id)
        assert entry.region_codes == ["64", "64.02", "64.71"]
        assert entry.payload["agency_type"] == "media_massa"
        assert entry.payload["stage_codes"] == ["pemungutan_suara", "pencalonan_dpr_dprd"]
        assert entry.kind == "article.corrected"
    finally:
        await listener.close()


async def test_backlog_counts_rows_behind_a_position(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from tests.factories import add_article, ensure_agency
    from tests.realtime.factories import approve_article

    await ensure_agency(sessions, slug="diskominfo-lag")
    first = await add_article(sessions, agency_slug="diskominfo-lag")
    second = await add_article(sessions, agency_slug="diskominfo-lag")
    async with sessions() as session:
        assert await outbox.backlog(session, after=(0, 0)) == (0, 0.0)
    await approve_article(sessions, first)
    await asyncio.sleep(0.05)
    await approve_article(sessions, second)
    async with sessions() as session:
        rows, seconds = await outbox.backlog(session, after=(0, 0))
        assert rows == 2
        assert 0.05 <= seconds < 30
        # after the last row (not head_position: another transaction in flight on a shared
        # server holds the horizon back, which is exactly the lag this reports)
        last = (
            await session.execute(
                text("SELECT txid::text::bigint, id FROM outbox ORDER BY txid DESC, id DESC")
            )
        ).first()
        assert last is not None
        assert await outbox.backlog(session, after=(last[0], last[1])) == (0, 0.0)
