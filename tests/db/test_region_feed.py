"""The region feed follows article regions and listing times (triggers of migration 0002b)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests import factories


async def feed(engine: AsyncEngine, article_id: int) -> dict[str, str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT f.region_code, f.listed_at = a.listed_at FROM region_feed f "
                "JOIN articles a ON a.id = f.article_id WHERE f.article_id = :id"
            ),
            {"id": article_id},
        )
        return {code: in_step for code, in_step in rows}


async def test_feed_rows_follow_regions_and_listing_time(
    database_url: str, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    agency = await factories.agency(sessions, slug="kpu-kukar", region_code="64.02")
    article = await factories.article(
        sessions, agency_id=agency, regions=("64.02", "64.71"), status="draft"
    )
    # Covered regions and the province above them, each once.
    assert await feed(engine, article) == {"64": True, "64.02": True, "64.71": True}

    async with engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM article_regions WHERE article_id = :id AND region_code = '64.71'"),
            {"id": article},
        )
    assert await feed(engine, article) == {"64": True, "64.02": True}

    async with engine.begin() as connection:  # publishing moves it in the listing order
        await connection.execute(
            text(
                "UPDATE articles SET status = 'approved', published_at = now() + interval '1 day'"
                " WHERE id = :id"
            ),
            {"id": article},
        )
        await connection.execute(
            text("INSERT INTO article_regions VALUES (:id, '73.71')"), {"id": article}
        )
    assert await feed(engine, article) == {"64": True, "64.02": True, "73": True, "73.71": True}

    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM articles WHERE id = :id"), {"id": article})
    assert await feed(engine, article) == {}
