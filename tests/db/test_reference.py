"""Reference data: complete, correct for Kalimantan Timur, and idempotent to reload."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import AgencyType, ElectionStage, Region
from hub.db.reference import load_reference_data


async def test_counts(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        levels = dict(
            (await session.execute(select(Region.level, func.count()).group_by(Region.level))).all()
        )
        assert levels == {"province": 38, "regency": 416, "city": 98}
        assert await session.scalar(select(func.count()).select_from(ElectionStage)) == 19
        assert await session.scalar(select(func.count()).select_from(AgencyType)) == 21


async def test_kalimantan_timur(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        children = (
            await session.execute(
                select(Region.level, func.count())
                .where(Region.parent_code == "64")
                .group_by(Region.level)
            )
        ).all()
        assert dict(children) == {"regency": 7, "city": 3}
        balikpapan = await session.get(Region, "64.71")
        assert balikpapan is not None
        assert (balikpapan.name, balikpapan.level) == ("Kota Balikpapan", "city")


async def test_every_regency_belongs_to_an_existing_province(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        orphans = await session.scalar(
            text(
                "SELECT count(*) FROM regions child LEFT JOIN regions parent "
                "ON parent.code = child.parent_code WHERE child.level <> 'province' "
                "AND (parent.level IS DISTINCT FROM 'province' "
                "OR child.code NOT LIKE parent.code || '.%')"
            )
        )
        assert orphans == 0


async def test_stages_in_calendar_order(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        voting = await session.get(ElectionStage, "pemungutan_suara")
        assert voting is not None
        assert str(voting.starts_on) == str(voting.ends_on) == "2024-02-14"
        undated = (
            await session.scalars(
                select(ElectionStage.code).where(ElectionStage.starts_on.is_(None))
            )
        ).all()
        assert set(undated) == {"penetapan_hasil", "sumpah_dprd_kabkota", "sumpah_dprd_provinsi"}


async def test_reload_changes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    snapshot = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {} t"
    tables = ["regions", "election_stages", "agency_types"]
    async with sessions() as session:
        before = [await session.scalar(text(snapshot.format(table))) for table in tables]
        xmin_before = await session.scalar(text("SELECT max(xmin::text::bigint) FROM regions"))
    async with sessions() as session, session.begin():
        results = await load_reference_data(session)
    assert [(r.table, r.inserted, r.updated) for r in results] == [
        ("agency_types", 0, 0),
        ("regions", 0, 0),
        ("election_stages", 0, 0),
    ]
    async with sessions() as session:
        after = [await session.scalar(text(snapshot.format(table))) for table in tables]
        xmin_after = await session.scalar(text("SELECT max(xmin::text::bigint) FROM regions"))
    assert after == before
    assert xmin_after == xmin_before  # no row was rewritten


async def test_reload_repairs_a_changed_row(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE regions SET name = 'x' WHERE code = '64.71'"))
    async with sessions() as session, session.begin():
        results = await load_reference_data(session)
    assert {r.table: (r.inserted, r.updated) for r in results}["regions"] == (0, 1)
    async with sessions() as session:
        region = await session.get(Region, "64.71")
        assert region is not None
        assert region.name == "Kota Balikpapan"
