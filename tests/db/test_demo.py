"""Demo content: loads once and only once, the same every time, with what the first
minutes need (many approved articles over provinces and stages, events with speakers,
corrections and retractions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.demo import load_demo_content
from hub.db.demo.newsroom import PROVINCES
from hub.db.models import Agency, Article, Event, EventSpeaker


async def test_demo_loads_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        assert await load_demo_content(session) is True
    async with sessions() as session, session.begin():
        assert await load_demo_content(session) is False

    async with sessions() as session:
        statuses = dict(
            (
                await session.execute(select(Article.status, func.count()).group_by(Article.status))
            ).all()
        )
        assert statuses == {"approved": 239, "retracted": 3}
        assert await session.scalar(select(func.count()).select_from(Event)) == 9
        assert await session.scalar(select(func.count()).select_from(EventSpeaker)) == 5 + 8 * 4
        corrected = await session.scalar(
            select(func.count()).where(Article.correction_note.is_not(None))
        )
        assert corrected == 4
        slugs = set((await session.scalars(select(Agency.slug))).all())
        assert {"diskominfo-kukar", "kaltim-post", "kpu-papua", "humas-polda-jakarta"} <= slugs


async def test_demo_spans_provinces_and_stages_in_their_dates(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await load_demo_content(session)
    async with sessions() as session:
        per_province = dict(
            (
                await session.execute(
                    text(
                        "SELECT r.code, count(*) FROM article_regions ar "
                        "JOIN regions r ON r.code = ar.region_code AND r.level = 'province' "
                        "JOIN articles a ON a.id = ar.article_id AND a.status = 'approved' "
                        "GROUP BY r.code"
                    )
                )
            ).all()
        )
        assert {p.code for p in PROVINCES} <= per_province.keys()
        assert min(per_province[p.code] for p in PROVINCES) >= 25
        stages = await session.scalar(
            text("SELECT count(DISTINCT stage_code) FROM article_election_stages")
        )
        assert stages >= 12
        # every generated article is dated inside its stage's range (the forum's two are
        # tagged with the stages they are about)
        outside = await session.scalar(
            text(
                "SELECT count(*) FROM articles a "
                "JOIN article_election_stages s ON s.article_id = a.id "
                "JOIN election_stages e ON e.code = s.stage_code "
                "WHERE a.byline LIKE 'Tim Humas %' "
                "AND a.published_at::date NOT BETWEEN e.starts_on - 1 AND e.ends_on + 1"
            )
        )
        assert outside == 0


async def test_demo_is_deterministic(database_url: str, pg_server, template_database) -> None:  # type: ignore[no-untyped-def]
    """Two loads into two databases give the same articles, dates and views."""
    from sqlalchemy.ext.asyncio import create_async_engine

    rows: list[list[tuple[str, datetime, int]]] = []
    for suffix in ("a", "b"):
        name = f"hub_test_{pg_server.token}_demo_{suffix}"
        url = await pg_server.create_database(name, template=template_database)
        engine = create_async_engine(url)
        try:
            async with async_sessionmaker(engine)() as session, session.begin():
                await load_demo_content(session)
            async with engine.connect() as connection:
                result = await connection.execute(
                    select(Article.slug, Article.published_at, Article.view_count).order_by(
                        Article.slug
                    )
                )
                rows.append([tuple(row) for row in result])  # type: ignore[misc]
        finally:
            await engine.dispose()
            await pg_server.drop_database(name)
    assert rows[0] == rows[1]
    assert len(rows[0]) == 242
